package io.syncro.sample.todo;

import java.util.List;

import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.repository.JpaRepository;


/**
 * The lists; deleting one, by REST or by a client's {@code destroy}, deletes its Todos
 * first ({@link ListDeletion}).
 *
 * @since 0.2.0
 */
public interface TodoListRepository extends JpaRepository<TodoList, String>, ListDeletion {

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
