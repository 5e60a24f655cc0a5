package dev.cortex.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A copy of the project's policy (routes and application.properties) in a test's folder with more providers in the
 * chain, added as docs/providers.md says: one templated route line each, and a place in the chain. Their settings
 * (provider.<name>.*) are the test's to give.
 */
final class ExtraProviders {

    private ExtraProviders() {}

    /**
     * @param first providers the chain tries before Groq
     * @param last  providers the chain tries after Ollama
     */
    static void copyPolicyInto(Path dir, List<String> first, List<String> last) throws IOException {
        Files.createDirectories(dir.resolve("routes"));
        try (var files = Files.list(Path.of("routes"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve("routes").resolve(f.getFileName()));
            }
        }
        Files.copy(Path.of("application.properties"), dir.resolve("application.properties"));
        Path providers = dir.resolve("routes/providers.camel.yaml");
        StringBuilder lines = new StringBuilder(Files.readString(providers));
        for (String name : concat(first, last)) {
            lines.append("- templatedRoute: { routeTemplateRef: provider, routeId: provider-")
                    .append(name)
                    .append(", parameters: [ { name: name, value: ")
                    .append(name)
                    .append(" } ] }\n");
        }
        Files.writeString(providers, lines.toString());
        Path chain = dir.resolve("routes/chain.camel.yaml");
        String yaml = Files.readString(chain);
        String edited = yaml;
        for (String name : first) {
            edited = edited.replace(
                    "              - to: direct:groq",
                    "              - to: direct:" + name + "\n              - to: direct:groq");
        }
        StringBuilder after = new StringBuilder("              - to: direct:ollama");
        for (String name : last) {
            after.append("\n              - to: direct:").append(name);
        }
        edited = edited.replaceFirst("              - to: direct:ollama[^\\n]*", after.toString());
        assertThat(edited).isNotEqualTo(yaml);
        Files.writeString(chain, edited);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
