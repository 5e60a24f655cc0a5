package dev.cortex.sim;

import java.time.Duration;
import java.util.Map;

/**
 * How a simulator answers requests for one model name: its own pacing, text and fault. Lets one simulator (and one
 * gateway in front of it) serve several benchmark or drill cases side by side, chosen by the model asked for.
 */
public record Profile(Duration firstTokenDelay, Duration chunkGap, String reply, Fault fault) {

    /** {@code name:firstTokenMs:chunkGapMs:words[:fault]}, e.g. {@code bench-long:0:500:20} or {@code bench-429:0:0:4:429:0}. */
    public static Map.Entry<String, Profile> parse(String spec) {
        String[] p = spec.split(":", 5);
        int words = Integer.parseInt(p[3]);
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= words; i++) {
            text.append(i == 1 ? "" : " ").append("word").append(i);
        }
        return Map.entry(
                p[0],
                new Profile(
                        Duration.ofMillis(Long.parseLong(p[1])),
                        Duration.ofMillis(Long.parseLong(p[2])),
                        text.toString(),
                        p.length > 4 ? Fault.parse(p[4]) : null));
    }
}
