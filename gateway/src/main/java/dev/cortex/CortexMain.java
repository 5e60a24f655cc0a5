package dev.cortex;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.main.Main;

/**
 * Starts Cortex. The policy a user edits — {@code routes/*.camel.yaml} and {@code application.properties} — is read
 * from the working directory when it is there, so an edit needs no rebuild; otherwise the copies packaged in the jar
 * are used, so the jar runs from anywhere.
 */
public final class CortexMain {

    private CortexMain() {}

    public static void main(String[] args) throws Exception {
        Main main = create(Path.of(""));
        main.run(args);
    }

    /** A configured (not yet started) Main reading its policy from {@code dir} when present there. */
    public static Main create(Path dir) {
        Main main = new Main(); // no package scan: CortexConfiguration is added once, here
        main.configure().addConfiguration(CortexConfiguration.class);
        main.configure().withRoutesIncludePattern(routesPattern(dir));
        Path routes = dir.resolve("routes").toAbsolutePath();
        if (Files.isDirectory(routes)) {
            // an edit of a routes file takes effect live; breakers and key pools are beans, so they keep their state
            main.configure()
                    .withRoutesReloadEnabled(true)
                    .withRoutesReloadDirectory(routes.toString())
                    .withRoutesReloadPattern("*.camel.yaml");
        }
        Path properties = dir.resolve("application.properties").toAbsolutePath();
        main.setDefaultPropertyPlaceholderLocation(
                Files.isRegularFile(properties) ? "file:" + properties : "classpath:application.properties");
        return main;
    }

    static String routesPattern(Path dir) {
        Path routes = dir.resolve("routes").toAbsolutePath();
        return Files.isDirectory(routes) ? "file:" + routes + "/*.camel.yaml" : "classpath:routes/*.camel.yaml";
    }
}
