package io.syncro.sample.todo;

import jakarta.persistence.EntityManager;

import org.springframework.context.annotation.Lazy;

/**
 * {@link ListDeletion}, the fragment that replaces the repository's own {@code delete}.
 */
class ListDeletionImpl implements ListDeletion {

	private final TodoRepository todos;

	private final EntityManager entityManager;

	ListDeletionImpl(@Lazy TodoRepository todos, EntityManager entityManager) {
		this.todos = todos;
		this.entityManager = entityManager;
	}

	@Override
	public void delete(TodoList list) {
		this.todos.deleteAll(this.todos.findByListId(list.getId()));
		TodoList managed = this.entityManager.find(TodoList.class, list.getId());
		if (managed != null) {
			this.entityManager.remove(managed);
		}
	}

}
