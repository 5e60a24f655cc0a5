package dev.cortex.access;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code --option value}, {@code --option=value} and {@code --flag} arguments of one {@link KeyCommand}
 * subcommand, checked against what that subcommand takes: a misspelt option is an error, never silently ignored.
 */
final class CommandOptions {

    private final Map<String, String> values = new HashMap<>();

    private CommandOptions() {}

    /**
     * @param args       the arguments after the subcommand
     * @param withValues the options that take a value, e.g. {@code --name}
     * @param flags      the options that stand alone, e.g. {@code --admin}
     */
    static CommandOptions parse(String command, List<String> args, Set<String> withValues, Set<String> flags)
            throws UsageException {
        CommandOptions options = new CommandOptions();
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String arg = rest.remove(0);
            int eq = arg.indexOf('=');
            String option = eq > 0 ? arg.substring(0, eq) : arg;
            String value;
            if (withValues.contains(option)) {
                if (eq > 0) {
                    value = arg.substring(eq + 1);
                } else if (!rest.isEmpty()) {
                    value = rest.remove(0);
                } else {
                    throw new UsageException(option + " needs a value");
                }
            } else if (flags.contains(option) && eq < 0) {
                value = "true";
            } else if (option.startsWith("-")) {
                throw new UsageException(command + " takes no option " + option);
            } else {
                throw new UsageException(command + " takes no argument '" + arg + "'");
            }
            if (options.values.putIfAbsent(option, value) != null) {
                throw new UsageException(option + " is given twice");
            }
        }
        return options;
    }

    Optional<String> value(String option) {
        return Optional.ofNullable(values.get(option));
    }

    String required(String option) throws UsageException {
        String value = values.get(option);
        if (value == null || value.isBlank()) {
            throw new UsageException(option + " is required");
        }
        return value.trim();
    }

    boolean flag(String option) {
        return values.containsKey(option);
    }

    /** A comma-separated option as a list, blanks dropped; absent is empty. */
    List<String> list(String option) {
        List<String> items = new ArrayList<>();
        for (String item : value(option).orElse("").split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }
}
