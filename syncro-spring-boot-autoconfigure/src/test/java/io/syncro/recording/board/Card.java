package io.syncro.recording.board;

import io.syncro.play.Syncable;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/**
 * A card on a board, seen by the board's members.
 */
@Entity
@Syncable
public class Card {

	@Id
	private String id;

	private String boardId;

	private String text;

	protected Card() {
	}

	public Card(String id, String boardId, String text) {
		this.id = id;
		this.boardId = boardId;
		this.text = text;
	}

	public String getId() {
		return this.id;
	}

	public String getBoardId() {
		return this.boardId;
	}

	public void setBoardId(String boardId) {
		this.boardId = boardId;
	}

	public String getText() {
		return this.text;
	}

	public void setText(String text) {
		this.text = text;
	}

}
