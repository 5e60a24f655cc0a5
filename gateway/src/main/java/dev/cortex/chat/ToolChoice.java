package dev.cortex.chat;

/**
 * Whether and which tool the model must call ({@code tool_choice}).
 *
 * @param function the function's name when {@link Mode#FUNCTION}, else null
 */
public record ToolChoice(Mode mode, String function) {

    public enum Mode {
        /** The model decides. */
        AUTO,
        /** No tool may be called, though tools are declared. */
        NONE,
        /** Some tool must be called. */
        REQUIRED,
        /** This one function must be called. */
        FUNCTION
    }

    public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
    public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
    public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

    public static ToolChoice function(String name) {
        return new ToolChoice(Mode.FUNCTION, name);
    }
}
