package dev.cortex;

import java.io.StringWriter;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** Everything logged while it is open, at every level, for tests that must prove what is never logged. */
public final class LogCapture implements AutoCloseable {

    private final StringWriter out = new StringWriter();
    private final WriterAppender appender;
    private final Level previous;

    public LogCapture() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        appender = WriterAppender.newBuilder()
                .setName("capture")
                .setTarget(out)
                .setLayout(PatternLayout.newBuilder()
                        .withPattern("%level %logger - %msg %throwable%n")
                        .build())
                .build();
        appender.start();
        LoggerConfig root = config.getRootLogger();
        previous = root.getLevel();
        root.addAppender(appender, Level.ALL, null);
        root.setLevel(Level.DEBUG);
        config.getLoggerConfig("dev.cortex").setLevel(Level.DEBUG);
        ctx.updateLoggers();
    }

    public String text() {
        return out.toString();
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        LoggerConfig root = ctx.getConfiguration().getRootLogger();
        root.removeAppender("capture");
        root.setLevel(previous);
        ctx.getConfiguration().getLoggerConfig("dev.cortex").setLevel(Level.INFO);
        ctx.updateLoggers();
        appender.stop();
    }
}
