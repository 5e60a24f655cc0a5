package dev.cortex.chat;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A function the model may call, as the caller declared it (OpenAI's {@code tools[].function}).
 *
 * @param parameters the arguments' JSON Schema (an object schema), or null when the function takes none
 * @param strict     OpenAI's {@code strict} flag, or null when not set
 */
public record ToolSpec(String name, String description, JsonNode parameters, Boolean strict) {}
