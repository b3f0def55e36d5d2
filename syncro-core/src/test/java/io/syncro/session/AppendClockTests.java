package io.syncro.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AppendClock}.
 */
class AppendClockTests {

	private final AppendClock clock = new AppendClock();

	@Test
	void theFirstReportOnlyTellsWhereTheLogStands() {
		assertThat(this.clock.appended(40, 1_000)).isZero();
		assertThat(this.clock.appended(43, 2_000)).isEqualTo(3);
	}

	@Test
	void aReportThatDoesNotRaiseTheHighestIdAddsNothing() {
		this.clock.appended(10, 1_000);
		this.clock.appended(12, 2_000);
		assertThat(this.clock.appended(11, 3_000)).isZero();
		assertThat(this.clock.appended(12, 3_000)).isZero();
		assertThat(this.clock.lag(11, 5_000)).isEqualTo(3_000);
	}

	@Test
	void lagRunsFromTheFirstReportThatCoveredTheId() {
		this.clock.appended(10, 1_000);
		this.clock.appended(13, 2_000);
		this.clock.appended(20, 7_000);
		assertThat(this.clock.lag(11, 9_000)).isEqualTo(7_000);
		assertThat(this.clock.lag(13, 9_000)).isEqualTo(7_000);
		assertThat(this.clock.lag(14, 9_000)).isEqualTo(2_000);
		assertThat(this.clock.lag(20, 9_000)).isEqualTo(2_000);
	}

	@Test
	void lagIsUnknownBeforeAnyReportAndForIdsReportedByTheFirstOne() {
		assertThat(this.clock.lag(1, 9_000)).isEqualTo(-1);
		this.clock.appended(10, 1_000);
		assertThat(this.clock.lag(10, 9_000)).isEqualTo(-1);
		assertThat(this.clock.lag(3, 9_000)).isEqualTo(-1);
	}

	@Test
	void anIdReadBeforeItsReportCameHasNoLag() {
		this.clock.appended(10, 1_000);
		this.clock.appended(12, 2_000);
		assertThat(this.clock.lag(13, 9_000)).isZero();
	}

	@Test
	void reportTimesMayBeNegativeAsNanoTimeAllows() {
		this.clock.appended(1, -5_000);
		this.clock.appended(2, -4_000);
		assertThat(this.clock.lag(2, -1_000)).isEqualTo(3_000);
	}

	@Test
	void idsCoveredOnlyByForgottenReportsHaveAnUnknownLag() {
		this.clock.appended(0, 0);
		for (int i = 1; i <= AppendClock.SIZE + 5; i++) {
			this.clock.appended(i, i * 10L);
		}
		assertThat(this.clock.lag(5, 100_000)).isEqualTo(-1);
		assertThat(this.clock.lag(6, 100_000)).isEqualTo(100_000 - 60);
		assertThat(this.clock.lag(AppendClock.SIZE + 5, 100_000)).isEqualTo(100_000 - (AppendClock.SIZE + 5) * 10L);
	}

}
