package dev.cortex.chat;

/**
 * A call the model asked for, or made earlier in the conversation (an assistant message's {@code tool_calls}).
 *
 * @param id        the id the tool's result refers back to ({@code tool_call_id}); a provider without ids gets one
 *                  made up by its adapter, so every call has one
 * @param arguments the arguments as JSON text, OpenAI's form (Gemini and Ollama send an object: their adapters
 *                  write it out)
 */
public record ToolCall(String id, String name, String arguments) {}
