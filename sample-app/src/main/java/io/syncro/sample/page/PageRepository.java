package io.syncro.sample.page;

import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;

/**
 * The Pages; changes made through it reach the owner's clients only.
 *
 * @since 0.1.0
 */
public interface PageRepository extends JpaRepository<Page, String> {

	List<Page> findByOwnerOrderByTitle(String owner);

}
