package dev.cortex.api;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;

import dev.cortex.access.Caller;
import dev.cortex.access.GatewayKey;
import dev.cortex.access.KeyRing;
import dev.cortex.chat.Json;
import dev.cortex.failure.BadRequestException;
import dev.cortex.limits.KeyLimits;
import dev.cortex.limits.LimitStore;
import dev.cortex.limits.Periods;
import dev.cortex.limits.UsageRow;

/**
 * {@code GET /api/usage?from=2026-12-01&to=2026-12-03&key=team-a} (admin): what each gateway key used in a period of
 * UTC days (both included; by default this month so far), by provider and model and by day — requests, input and
 * output tokens, and cost from the price table — with each key's limits and what it has spent today and this month.
 */
public final class UsageReport implements Processor {

    /** A report spans at most this many days: a year and a bit, as far back as accounts are kept by default. */
    static final int MAX_DAYS = 400;

    private final LimitStore store;
    private final KeyRing keys;
    private final KeyLimits defaults;
    private final Clock clock;

    public UsageReport(LimitStore store, KeyRing keys, KeyLimits defaults, Clock clock) {
        this.store = store;
        this.keys = keys;
        this.defaults = defaults;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        Message in = exchange.getMessage();
        Instant now = clock.instant();
        LocalDate today = Periods.day(now);
        LocalDate to = date(in, "to", today);
        LocalDate from = date(in, "from", to.withDayOfMonth(1));
        if (from.isAfter(to)) {
            throw new BadRequestException("from", "'from' (" + from + ") is after 'to' (" + to + ").");
        }
        if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
            throw new BadRequestException("from", "A report spans at most " + MAX_DAYS + " days.");
        }
        Map<String, KeyLimits> named = new LinkedHashMap<>();
        String only = in.getHeader("key", String.class);
        if (only != null && !only.isBlank()) {
            GatewayKey key = keys.byName(only)
                    .orElseThrow(() -> new BadRequestException(404, "key", "No gateway key named '" + only + "'."));
            named.put(key.name(), key.policy().limits().orElse(defaults));
        } else {
            keys.keys().forEach(k -> named.put(k.name(), k.policy().limits().orElse(defaults)));
            named.put(Caller.OPEN.name(), KeyLimits.UNLIMITED); // requests served while Cortex ran without keys
        }
        List<UsageRow> rows = store.usage(named.keySet(), from, to);

        ObjectNode body = Json.object();
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("store", store.mode());
        Totals total = new Totals();
        ArrayNode out = body.putArray("keys");
        named.forEach((name, limits) -> {
            List<UsageRow> mine =
                    rows.stream().filter(r -> r.key().equals(name)).toList();
            if (mine.isEmpty() && name.equals(Caller.OPEN.name())) {
                return;
            }
            ObjectNode key = out.addObject();
            key.put("key", name);
            Totals sum = new Totals();
            Map<String, Totals> byModel = new LinkedHashMap<>();
            Map<LocalDate, Totals> byDay = new LinkedHashMap<>();
            for (UsageRow r : mine) {
                sum.add(r);
                total.add(r);
                byModel.computeIfAbsent(r.provider() + "\u0000" + r.model(), m -> new Totals())
                        .add(r);
                byDay.computeIfAbsent(r.day(), d -> new Totals()).add(r);
            }
            sum.write(key);
            if (limits.any()) {
                key.set("limits", limits(limits, store.spent(name, now)));
            }
            ArrayNode models = key.putArray("by_model");
            byModel.forEach((id, t) -> {
                String[] parts = id.split("\u0000", 2);
                ObjectNode m = models.addObject();
                m.put("provider", parts[0]);
                m.put("model", parts[1]);
                t.write(m);
            });
            ArrayNode days = key.putArray("by_day");
            byDay.forEach((day, t) -> {
                ObjectNode d = days.addObject();
                d.put("day", day.toString());
                t.write(d);
            });
        });
        total.write(body.putObject("total"));
        in.removeHeaders("*");
        in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        in.setBody(Json.bytes(body));
    }

    private static ObjectNode limits(KeyLimits limits, LimitStore.Spent spent) {
        ObjectNode node = Json.object();
        if (limits.requestsPerMinute() != KeyLimits.NONE) {
            node.put("requests_per_minute", limits.requestsPerMinute());
        }
        if (limits.tokensPerMinute() != KeyLimits.NONE) {
            node.put("tokens_per_minute", limits.tokensPerMinute());
        }
        if (limits.dayBudgetMicros() != KeyLimits.NONE) {
            node.put("budget_per_day_usd", usd(limits.dayBudgetMicros()));
        }
        if (limits.monthBudgetMicros() != KeyLimits.NONE) {
            node.put("budget_per_month_usd", usd(limits.monthBudgetMicros()));
        }
        node.put("spent_today_usd", usd(spent.dayMicros()));
        node.put("spent_this_month_usd", usd(spent.monthMicros()));
        return node;
    }

    private static BigDecimal usd(long micros) {
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros();
    }

    private static LocalDate date(Message in, String name, LocalDate otherwise) {
        String text = in.getHeader(name, String.class);
        if (text == null || text.isBlank()) {
            return otherwise;
        }
        try {
            return LocalDate.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new BadRequestException(name, "'" + name + "' must be a day such as 2026-12-03.");
        }
    }

    /** Requests, tokens and cost added up. */
    private static final class Totals {
        long requests;
        long input;
        long output;
        long cost;

        void add(UsageRow r) {
            requests += r.requests();
            input += r.inputTokens();
            output += r.outputTokens();
            cost += r.costMicros();
        }

        void write(ObjectNode node) {
            node.put("requests", requests);
            node.put("input_tokens", input);
            node.put("output_tokens", output);
            node.put("cost_usd", usd(cost));
        }
    }
}
