package dev.cortex.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts streamed tool-call deltas back together, as the OpenAI SDKs do: the first delta of a call (by index) brings its
 * id and name, later ones append argument fragments. Used where a whole call is needed: a non-streaming answer, and
 * front doors whose wire sends calls whole (Ollama's). Not thread-safe.
 */
public final class ToolCallAssembler {

    private final Map<Integer, Partial> calls = new TreeMap<>();

    public void add(int index, String id, String name, String argumentsFragment) {
        Partial p = calls.computeIfAbsent(index, i -> new Partial());
        if (id != null && p.id == null) {
            p.id = id;
        }
        if (name != null && p.name == null) {
            p.name = name;
        }
        if (argumentsFragment != null) {
            p.arguments.append(argumentsFragment);
        }
    }

    public boolean isEmpty() {
        return calls.isEmpty();
    }

    /** The calls so far, in index order; arguments never empty ({@code {}} when none came). */
    public List<ToolCall> calls() {
        List<ToolCall> out = new ArrayList<>(calls.size());
        for (Partial p : calls.values()) {
            out.add(new ToolCall(p.id, p.name, p.arguments.isEmpty() ? "{}" : p.arguments.toString()));
        }
        return out;
    }

    private static final class Partial {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }
}
