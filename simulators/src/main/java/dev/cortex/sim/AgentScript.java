package dev.cortex.sim;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How the simulated model behaves when asked more than plain text, the same for every provider, so that a test can
 * tell what it should receive: offered tools (and not told "none"), it calls one (the one it must, else the first)
 * with arguments made from the tool's schema; given a tool's result, it answers with it; asked for JSON, it answers
 * JSON (a sample of the schema, or the reply wrapped in an object).
 */
final class AgentScript {

    private AgentScript() {}

    /** What the model says: text, or calls. */
    record Turn(String text, List<Asks.Call> calls) {}

    static Turn play(Asks asks, String reply, String prompt) {
        if (!asks.tools().isEmpty() && !"none".equals(asks.toolChoice()) && asks.toolResult() == null) {
            Asks.Tool tool = chosen(asks);
            return new Turn(
                    "",
                    List.of(new Asks.Call(
                            "call_"
                                    + UUID.randomUUID()
                                            .toString()
                                            .replace("-", "")
                                            .substring(0, 24),
                            tool.name(),
                            SchemaSample.of(tool.parameters(), prompt))));
        }
        if (asks.toolResult() != null) {
            return new Turn("The tool answered: " + asks.toolResult(), List.of());
        }
        if (asks.schema() != null) {
            return new Turn(Json.text(SchemaSample.of(asks.schema(), prompt)), List.of());
        }
        if (asks.jsonObject()) {
            ObjectNode answer = Json.object().put("answer", reply);
            return new Turn(Json.text(answer), List.of());
        }
        return new Turn(reply, List.of());
    }

    private static Asks.Tool chosen(Asks asks) {
        for (Asks.Tool t : asks.tools()) {
            if (t.name().equals(asks.toolChoice())) {
                return t;
            }
        }
        return asks.tools().get(0);
    }
}
