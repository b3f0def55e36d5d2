package io.syncro.web;

import io.syncro.protocol.SyncroException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link ConnectionCounter}: the check before a handshake (429 per uid or user,
 * 503 in total) and the count when a connection opens, which closes one that raced past
 * the check (1008 per uid or user, 1013 in total).
 */
class ConnectionCounterTests {

	private final ConnectionCounter counter = new ConnectionCounter(new ConnectionLimits(3, 2));

	@Test
	void theCheckRefusesAUidAtItsLimitWith429() {
		assertThat(this.counter.open("a")).isNull();
		assertThat(this.counter.open("a")).isNull();
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> this.counter.check("a"))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(429));
		assertThatNoException().isThrownBy(() -> this.counter.check("b"));
		this.counter.closed("a");
		assertThatNoException().isThrownBy(() -> this.counter.check("a"));
	}

	@Test
	void theCheckRefusesEveryoneAtTheTotalWith503() {
		assertThat(this.counter.open("a")).isNull();
		assertThat(this.counter.open("b")).isNull();
		assertThat(this.counter.open("c")).isNull();
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> this.counter.check("d"))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(503));
	}

	@Test
	void connectionsThatRacedPastTheCheckAreClosedAndNotCounted() {
		assertThat(this.counter.open("a")).isNull();
		assertThat(this.counter.open("a")).isNull();
		assertThat(this.counter.open("a")).isEqualTo(ConnectionCounter.TOO_MANY_FOR_CLIENT);
		assertThat(ConnectionCounter.TOO_MANY_FOR_CLIENT.getCode()).isEqualTo(1008);
		assertThat(this.counter.total()).isEqualTo(2);
		assertThat(this.counter.open("b")).isNull();
		assertThat(this.counter.open("c")).isEqualTo(ConnectionCounter.TOO_MANY_IN_TOTAL);
		assertThat(ConnectionCounter.TOO_MANY_IN_TOTAL.getCode()).isEqualTo(1013);
		assertThat(this.counter.total()).isEqualTo(3);
		this.counter.closed("a");
		this.counter.closed("a");
		this.counter.closed("b");
		assertThat(this.counter.total()).isZero();
		assertThat(this.counter.open("a")).isNull();
		assertThat(this.counter.open("a")).isNull();
	}

	@Test
	void theCheckRefusesAUserAtItsLimitWith429WhateverTheUidAndLetsOthersIn() {
		ConnectionCounter perUser = new ConnectionCounter(new ConnectionLimits(10, 2, 3));
		assertThat(perUser.open("laptop", "alice")).isNull();
		assertThat(perUser.open("laptop", "alice")).isNull();
		assertThat(perUser.open("phone", "alice")).isNull();
		assertThatExceptionOfType(SyncroException.class).isThrownBy(() -> perUser.check("tablet", "alice"))
			.satisfies((ex) -> assertThat(ex.getCode()).isEqualTo(429));
		assertThatNoException().isThrownBy(() -> perUser.check("bobs", "bob"));
		assertThatNoException().isThrownBy(() -> perUser.check("kiosk"));
		perUser.closed("phone", "alice");
		assertThatNoException().isThrownBy(() -> perUser.check("tablet", "alice"));
	}

	@Test
	void aConnectionOfAUserAtItsLimitThatRacedPastTheCheckIsClosed1008AndNotCounted() {
		ConnectionCounter perUser = new ConnectionCounter(new ConnectionLimits(10, 2, 2));
		assertThat(perUser.open("laptop", "alice")).isNull();
		assertThat(perUser.open("phone", "alice")).isNull();
		assertThat(perUser.open("tablet", "alice")).isEqualTo(ConnectionCounter.TOO_MANY_FOR_USER);
		assertThat(ConnectionCounter.TOO_MANY_FOR_USER.getCode()).isEqualTo(1008);
		assertThat(perUser.total()).isEqualTo(2);
		// the refused one is not counted for its uid either
		assertThat(perUser.open("tablet", "bob")).isNull();
		assertThat(perUser.open("tablet", "bob")).isNull();
		assertThat(perUser.open("tablet", "bob")).isEqualTo(ConnectionCounter.TOO_MANY_FOR_CLIENT);
	}

}
