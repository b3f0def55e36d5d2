package io.syncro.sample.todo;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * The Todos; changes made through it reach every client.
 *
 * @since 0.1.0
 */
public interface TodoRepository extends JpaRepository<Todo, String> {

}
