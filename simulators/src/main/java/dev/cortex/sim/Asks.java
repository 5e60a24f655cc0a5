package dev.cortex.sim;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a chat request asks beyond plain text, as its wire read it, in no provider's terms.
 *
 * @param tools      the functions offered, possibly none
 * @param toolChoice "auto", "none", "required", or the one function's name
 * @param toolResult the content of the conversation's last turn when it is a tool's result, else null
 * @param schema     the JSON Schema the answer must follow, else null
 * @param jsonObject whether the answer must be some JSON object
 * @param images     how many images the messages carry
 */
record Asks(List<Tool> tools, String toolChoice, String toolResult, JsonNode schema, boolean jsonObject, int images) {

    static final Asks NONE = new Asks(List.of(), "auto", null, null, false, 0);

    Asks {
        tools = List.copyOf(tools);
        toolChoice = toolChoice == null ? "auto" : toolChoice;
    }

    /** A function offered to the model, with its parameters' JSON Schema (may be null). */
    record Tool(String name, JsonNode parameters) {}

    /** A call the simulated model makes, arguments as an object. */
    record Call(String id, String name, JsonNode arguments) {}
}
