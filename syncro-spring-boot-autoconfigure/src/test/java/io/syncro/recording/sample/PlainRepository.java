package io.syncro.recording.sample;

import org.springframework.data.jpa.repository.JpaRepository;

public interface PlainRepository extends JpaRepository<Plain, String> {

}
