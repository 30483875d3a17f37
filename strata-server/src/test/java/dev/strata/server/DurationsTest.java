package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesSecondsMinutesAndHours() throws Exception {
        assertThat(Durations.parse("--x", "30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("--x", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("--x", " 2h ")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("--x", "87600h")).isEqualTo(Durations.MAX);
    }

    @Test
    void refusesOtherFormsNamingTheOption() {
        for (String bad : new String[] {"", "5", "s", "5x", "-1s", "1.5h", "5M", "5 m", "5min", "1d", "PT5M", "1234567890s"}) {
            assertThatThrownBy(() -> Durations.parse("--max-dirty-age", bad))
                    .as("'%s'", bad)
                    .isInstanceOf(CliException.class)
                    .hasMessage("--max-dirty-age takes a duration like 30s, 5m or 2h, not '" + bad + "'");
        }
        assertThatThrownBy(() -> Durations.parse("--timeout", null)).isInstanceOf(CliException.class);
    }

    @Test
    void refusesZeroAndMoreThanTenYears() {
        assertThatThrownBy(() -> Durations.parse("--timeout", "0s"))
                .hasMessage("--timeout must be between 1s and 87600h, not '0s'");
        assertThatThrownBy(() -> Durations.parse("--timeout", "87601h")).hasMessageContaining("between 1s and 87600h");
    }

    @Test
    void formatsForPoliciesAndMessages() {
        assertThat(Durations.seconds(Duration.ofMinutes(5))).isEqualTo("300s");
        assertThat(Durations.human(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(Durations.human(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.human(Duration.ofHours(2))).isEqualTo("2h");
    }
}
