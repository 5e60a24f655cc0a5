package dev.cortex.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * What a request asks of a model beyond plain text: the chain passes over models that cannot give it, without a
 * call, and says why ({@code skip: no tools}).
 *
 * @param tools      it offers tools, or its conversation holds tool calls or results
 * @param jsonSchema its answer must follow a JSON Schema (a plain {@code json_object} every chat model can give)
 * @param vision     a message carries an image
 * @param embeddings it asks for vectors, not text
 * @param tokens     the prompt's estimated tokens plus the answer's cap: what the model's context window must hold
 */
public record Needs(boolean tools, boolean jsonSchema, boolean vision, boolean embeddings, long tokens) {

    /** A plain chat of unknown length. */
    public static final Needs PLAIN = new Needs(false, false, false, false, 0);

    /** An embedding request. */
    public static Needs embeddings(long tokens) {
        return new Needs(false, false, false, true, tokens);
    }

    /** The capabilities needed, by the words configuration and the trail use: tools, json_schema, vision, embeddings. */
    public List<String> words() {
        List<String> out = new ArrayList<>(4);
        if (tools) {
            out.add("tools");
        }
        if (jsonSchema) {
            out.add("json_schema");
        }
        if (vision) {
            out.add("vision");
        }
        if (embeddings) {
            out.add("embeddings");
        }
        return out;
    }
}
