package io.syncro.recording;

import java.util.List;

import io.syncro.recording.board.Board;
import io.syncro.recording.board.BoardPolicies;
import io.syncro.recording.board.BoardRepository;
import io.syncro.recording.board.Card;
import io.syncro.recording.board.CardRepository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.transaction.support.TransactionTemplate;

import static io.syncro.recording.CapturingScribeLog.create;
import static io.syncro.recording.CapturingScribeLog.destroy;
import static io.syncro.recording.CapturingScribeLog.update;
import static io.syncro.scribe.Recipients.users;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records whose audience follows from another record's ({@code SyncroPolicy.dependents}),
 * on entities of their own: cards seen by their board's members. A change of the members,
 * however it is saved, moves the cards with the board, with no code of the application.
 */
@SpringBootTest(classes = DependentAudienceTests.BoardApplication.class, webEnvironment = WebEnvironment.NONE)
class DependentAudienceTests {

	@Autowired
	private BoardRepository boards;

	@Autowired
	private CardRepository cards;

	@Autowired
	private CapturingScribeLog log;

	@Autowired
	private TransactionTemplate transaction;

	@AfterEach
	void clear() {
		ScribeRecorder.withoutRecording(() -> {
			this.cards.deleteAllInBatch();
			this.boards.deleteAllInBatch();
		});
		this.log.clear();
	}

	@Test
	void aNewMemberGetsTheBoardAndEveryCardOnIt() {
		givenBoardOfAliceWithTwoCards();
		this.boards.save(new Board("b1", "Plans", List.of("alice", "bob")));
		assertThat(this.log.entries()).containsExactly(
				create("Board", "{'id': 'b1', 'name': 'Plans', 'members': ['alice', 'bob']}", users("bob")),
				update("Board", "['b1', {'members': ['alice', 'bob']}]", users("alice")),
				create("Card", "{'id': 'c1', 'boardId': 'b1', 'text': 'one'}", users("bob")),
				create("Card", "{'id': 'c2', 'boardId': 'b1', 'text': 'two'}", users("bob")));
	}

	@Test
	void aRemovedMemberLosesTheBoardAndEveryCardOnIt() {
		givenSaved(new Board("b1", "Plans", List.of("alice", "bob")), new Card("c1", "b1", "one"));
		this.transaction.executeWithoutResult((status) -> {
			Board managed = this.boards.findById("b1").orElseThrow();
			managed.getMembers().remove("alice");
			this.boards.save(managed);
		});
		assertThat(this.log.entries()).containsExactly(destroy("Board", "['b1']", users("alice")),
				update("Board", "['b1', {'members': ['bob']}]", users("bob")), destroy("Card", "['c1']", users("alice")));
	}

	@Test
	void aChangeThatKeepsTheMembersMovesNoCard() {
		givenBoardOfAliceWithTwoCards();
		Board renamed = new Board("b1", "Plans for May", List.of("alice"));
		this.boards.save(renamed);
		assertThat(this.log.entries())
			.containsExactly(update("Board", "['b1', {'name': 'Plans for May'}]", users("alice")));
	}

	@Test
	void aCardChangedEarlierInTheTransactionMovesAsItIsThen() {
		givenBoardOfAliceWithTwoCards();
		this.transaction.executeWithoutResult((status) -> {
			Card card = this.cards.findById("c1").orElseThrow();
			card.setText("one, edited");
			this.cards.save(card);
			this.boards.save(new Board("b1", "Plans", List.of("bob")));
		});
		assertThat(this.log.entries()).containsExactly(update("Card", "['c1', {'text': 'one, edited'}]", users("alice")),
				destroy("Board", "['b1']", users("alice")),
				create("Board", "{'id': 'b1', 'name': 'Plans', 'members': ['bob']}", users("bob")),
				destroy("Card", "['c1']", users("alice")),
				create("Card", "{'id': 'c1', 'boardId': 'b1', 'text': 'one, edited'}", users("bob")),
				destroy("Card", "['c2']", users("alice")),
				create("Card", "{'id': 'c2', 'boardId': 'b1', 'text': 'two'}", users("bob")));
	}

	@Test
	void aCardMovedToAnotherBoardMovesByItsOwnChange() {
		givenBoardOfAliceWithTwoCards();
		givenSaved(new Board("b2", "Other", List.of("bob")));
		Card moved = new Card("c1", "b2", "one");
		this.cards.save(moved);
		assertThat(this.log.entries()).containsExactly(destroy("Card", "['c1']", users("alice")),
				create("Card", "{'id': 'c1', 'boardId': 'b2', 'text': 'one'}", users("bob")));
	}

	private void givenBoardOfAliceWithTwoCards() {
		givenSaved(new Board("b1", "Plans", List.of("alice")), new Card("c1", "b1", "one"), new Card("c2", "b1", "two"));
	}

	private void givenSaved(Object... records) {
		ScribeRecorder.withoutRecording(() -> {
			for (Object record : records) {
				if (record instanceof Board board) {
					this.boards.save(board);
				}
				else {
					this.cards.save((Card) record);
				}
			}
		});
		this.log.clear();
	}

	/**
	 * JPA on H2 with the board entities and the {@link RecordingLayer}.
	 */
	@SpringBootConfiguration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, HibernateJpaAutoConfiguration.class,
			TransactionAutoConfiguration.class, JacksonAutoConfiguration.class })
	@EntityScan(basePackageClasses = Board.class)
	@EnableJpaRepositories(basePackageClasses = Board.class)
	@Import(RecordingLayer.class)
	static class BoardApplication {

		@Bean
		BoardPolicies.OfBoards boardPolicy(CardRepository cards) {
			return new BoardPolicies.OfBoards(cards);
		}

		@Bean
		BoardPolicies.OfCards cardPolicy(BoardRepository boards) {
			return new BoardPolicies.OfCards(boards);
		}

	}

}
