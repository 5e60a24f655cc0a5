package dev.cortex.sim;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The simulated embedding models: a text's vector is the same every time for one model and differs between models,
 * so a test can tell which model made it; unit length, as the real models' are. Each model has its own length.
 */
final class SimEmbeddings {

    private SimEmbeddings() {}

    /**
     * The vector length of a model: 768 unless a test's model name says otherwise ({@code ...-384}); a version
     * suffix ({@code -001}) is not a length.
     */
    static int dimensions(String model) {
        int dash = model.lastIndexOf('-');
        if (dash >= 0) {
            try {
                String suffix = model.substring(dash + 1);
                int n = Integer.parseInt(suffix);
                if (!suffix.startsWith("0") && n >= 16) {
                    return n;
                }
            } catch (NumberFormatException notANumber) {
                // below
            }
        }
        return 768;
    }

    static float[] vector(String model, String text, Integer dimensions) {
        int n = dimensions != null && dimensions > 0 ? dimensions : dimensions(model);
        Random random = new Random(seed(model + "\u0000" + text));
        float[] v = new float[n];
        double norm = 0;
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < n; i++) {
            v[i] *= scale;
        }
        return v;
    }

    /** Whitespace words: the simulator's token count for an input. */
    static int tokens(String text) {
        return Generation.words(text);
    }

    private static long seed(String s) {
        long h = 1125899906842597L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h = 31 * h + b;
        }
        return h;
    }
}
