package io.syncro.recording.board;

import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;

public interface CardRepository extends JpaRepository<Card, String> {

	List<Card> findByBoardIdOrderById(String boardId);

}
