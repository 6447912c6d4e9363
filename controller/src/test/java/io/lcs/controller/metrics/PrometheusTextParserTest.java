package io.lcs.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lcs.controller.metrics.PrometheusTextParser.Exposition;
import io.lcs.controller.metrics.PrometheusTextParser.ParseException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The test parser must itself be right, or the exposition tests prove nothing. */
class PrometheusTextParserTest {

    @Test
    void parsesHelpTypeLabelsEscapesSpecialValuesAndSummaries() {
        Exposition e = PrometheusTextParser.parse("""
                # HELP a_total Counts \\\\ things\\nreally.
                # TYPE a_total counter
                a_total{x="q\\"uo\\\\te\\nnl",y="2"} 3.5 1700000000000
                a_total{x="",y="3",} 1e3
                # some comment
                # TYPE s summary
                s{quantile="0.5"} NaN
                s_sum -Inf
                s_count +Inf
                untyped_thing 0
                """);
        assertEquals("counter", e.family("a_total").type());
        assertEquals("Counts \\ things\nreally.", e.family("a_total").help());
        assertEquals(Map.of("x", "q\"uo\\te\nnl", "y", "2"), e.family("a_total").samples().get(0).labels());
        assertEquals(1000, e.family("a_total").samples().get(1).value());
        assertEquals(3, e.family("s").samples().size());
        assertTrue(Double.isNaN(e.family("s").samples().get(0).value()));
        assertEquals(Double.NEGATIVE_INFINITY, e.family("s").samples().get(1).value());
        assertEquals("untyped", e.family("untyped_thing").type());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "# TYPE a gauge\n# TYPE a gauge\na 1\n",                 // second TYPE
            "# HELP a x\n# HELP a y\na 1\n",                         // second HELP
            "a 1\n# TYPE a gauge\n",                                  // TYPE after samples
            "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n", // family split in two
            "a{x=\"1\"} 1\na{x=\"1\"} 2\n",                          // duplicate series
            "a{x=\"1\",x=\"2\"} 1\n",                                // duplicate label
            "a{__x=\"1\"} 1\n",                                      // reserved label name
            "a{x=\"1} 1\n",                                          // unterminated value
            "a{x=\"\\t\"} 1\n",                                      // bad escape
            "a{x=1} 1\n",                                            // unquoted value
            "a 1.0.0\n",                                             // bad value
            "a Infinity\n",                                          // Java's spelling is not Prometheus'
            "a\n",                                                   // no value
            "a 1 2 3\n",                                             // too many fields
            "a 1 x\n",                                               // bad timestamp
            "1a 1\n",                                                // bad metric name
            "# TYPE a gauges\na 1\n",                                // unknown type
            "a 1",                                                   // no final newline
            "# TYPE h histogram\nh 1\n",                             // bare histogram sample
    })
    void rejectsMalformedExpositions(String text) {
        ParseException e = assertThrows(ParseException.class, () -> PrometheusTextParser.parse(text));
        assertTrue(e.getMessage().startsWith("line "), e.getMessage());
    }
}
