package io.syncro.sample.todo;

import java.util.List;
import java.util.Optional;

import jakarta.persistence.LockModeType;

import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;


/**
 * The lists; deleting one, by REST or by a client's {@code destroy}, deletes its Todos
 * first ({@link ListDeletion}).
 *
 * @since 0.2.0
 */
public interface TodoListRepository extends JpaRepository<TodoList, String>, ListDeletion {

	/**
	 * A list, read with a lock held to the end of the transaction: a Todo written into a
	 * list and a change of the list's members then happen one after the other, so that the
	 * Todo is recorded for the members it ends with (see {@link TodoPolicy}).
	 * @param id the list's id
	 * @return the list
	 */
	@Lock(LockModeType.PESSIMISTIC_READ)
	@Query("select l from TodoList l where l.id = :id")
	Optional<TodoList> findAndLockById(@Param("id") String id);

	/**
	 * Deletes a list and, first, its Todos ({@link ListDeletion}).
	 * @param list the list
	 */
	@Override
	void delete(TodoList list);

	/**
	 * The lists of a member: the sample keeps members in one column, so it reads every
	 * list (an application with many would keep them in a table of their own).
	 * @param member the user
	 * @return the user's lists, by name
	 */
	default List<TodoList> findByMember(String member) {
		return findAll(Sort.by("name")).stream().filter((list) -> list.hasMember(member)).toList();
	}

}
