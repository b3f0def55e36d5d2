package io.syncro.sample.todo;

import java.util.Collection;
import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * The Todos; changes made through it reach every client that sees them.
 *
 * @since 0.1.0
 */
public interface TodoRepository extends JpaRepository<Todo, String> {

	/**
	 * The Todos of a list.
	 * @param listId the list's id
	 * @return its Todos
	 */
	List<Todo> findByListId(String listId);

	/**
	 * The Todos a user sees: those without a list and those of the given lists.
	 * @param listIds the ids of the user's lists
	 * @return the Todos
	 */
	List<Todo> findByListIdIsNullOrListIdInOrderByTitle(Collection<String> listIds);

}
