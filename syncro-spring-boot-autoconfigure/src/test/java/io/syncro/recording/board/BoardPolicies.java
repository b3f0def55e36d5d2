package io.syncro.recording.board;

import java.util.List;

import io.syncro.play.Dependent;
import io.syncro.play.SyncroPolicy;
import io.syncro.scribe.Recipients;

/**
 * A board and its cards reach the board's members: the cards' audience follows from
 * their board's, so a change of its members moves them.
 */
public final class BoardPolicies {

	private BoardPolicies() {
	}

	static Recipients membersOf(Board board) {
		return Recipients.users(board.getMembers());
	}

	/**
	 * The board's policy: its members, and its cards as dependents.
	 */
	public static final class OfBoards implements SyncroPolicy<Board> {

		private final CardRepository cards;

		public OfBoards(CardRepository cards) {
			this.cards = cards;
		}

		@Override
		public Recipients recipients(Board board) {
			return membersOf(board);
		}

		@Override
		public List<Dependent> dependents(Board board) {
			Recipients members = membersOf(board);
			return this.cards.findByBoardIdOrderById(board.getId())
				.stream()
				.map((card) -> new Dependent(card, members))
				.toList();
		}

	}

	/**
	 * A card's policy: the members of its board, as it is now.
	 */
	public static final class OfCards implements SyncroPolicy<Card> {

		private final BoardRepository boards;

		public OfCards(BoardRepository boards) {
			this.boards = boards;
		}

		@Override
		public Recipients recipients(Card card) {
			return this.boards.findById(card.getBoardId()).map(BoardPolicies::membersOf).orElse(Recipients.none());
		}

	}

}
