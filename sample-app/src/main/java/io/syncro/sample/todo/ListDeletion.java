package io.syncro.sample.todo;

/**
 * Deletes a list with its Todos, through their repository so that their destroys are
 * recorded too, before the list's.
 *
 * @since 0.2.0
 */
interface ListDeletion {

	/**
	 * Deletes a list and its Todos.
	 * @param list the list
	 */
	void delete(TodoList list);

}
