package dev.cortex.ollama;

import java.util.List;

/**
 * Every Ollama server Cortex knows (one per provider of kind ollama), for the timers in routes/health.camel.yaml:
 * keep their configured models warm, pull the missing ones, re-read what they have.
 */
public final class OllamaHosts implements AutoCloseable {

    private final List<OllamaModels> hosts;

    public OllamaHosts(List<OllamaModels> hosts) {
        this.hosts = List.copyOf(hosts);
    }

    public void keepWarm() {
        hosts.forEach(OllamaModels::keepWarm);
    }

    public void pullMissing() {
        hosts.forEach(OllamaModels::pullMissing);
    }

    public void refresh() {
        hosts.forEach(OllamaModels::refresh);
    }

    /** Stops every host's load threads. */
    @Override
    public void close() {
        hosts.forEach(OllamaModels::close);
    }
}
