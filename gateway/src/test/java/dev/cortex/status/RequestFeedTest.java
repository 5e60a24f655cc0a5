package dev.cortex.status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestFeedTest {

    @Test
    void keepsOnlyTheLastRequests() {
        RequestFeed feed = new RequestFeed(3, 1);
        for (int i = 0; i < 10; i++) {
            feed.publish(summary("trail-" + i));
        }
        assertThat(feed.recent()).extracting(RequestSummary::trail).containsExactly("trail-7", "trail-8", "trail-9");
    }

    @Test
    void aWatcherGetsTheRecentOnesThenEachNewOneOnce() {
        RequestFeed feed = new RequestFeed(10, 2);
        feed.publish(summary("before"));
        Recorder page = new Recorder();
        assertThat(feed.watch(page)).isTrue();
        feed.publish(summary("after"));
        assertThat(page.started).extracting(RequestSummary::trail).containsExactly("before");
        assertThat(page.sent).extracting(RequestSummary::trail).containsExactly("after");
    }

    @Test
    void watchersAreBoundedAndALeavingOneFreesItsPlace() {
        RequestFeed feed = new RequestFeed(10, 2);
        Recorder first = new Recorder();
        assertThat(feed.watch(first)).isTrue();
        assertThat(feed.watch(new Recorder())).isTrue();
        assertThat(feed.watch(new Recorder())).isFalse();
        feed.leave(first);
        feed.publish(summary("news"));
        assertThat(first.sent).isEmpty();
        assertThat(feed.watching()).isEqualTo(1);
        assertThat(feed.watch(new Recorder())).isTrue();
    }

    @Test
    void aWatcherMayLeaveWhileItIsSentTo() {
        RequestFeed feed = new RequestFeed(10, 2);
        RequestFeed.Watcher leaving = new RequestFeed.Watcher() {
            @Override
            public void start(List<RequestSummary> recent) {}

            @Override
            public void send(RequestSummary summary) {
                feed.leave(this); // a page that cannot keep up is dropped from inside send
            }
        };
        feed.watch(leaving);
        feed.publish(summary("news"));
        assertThat(feed.watching()).isZero();
    }

    private static RequestSummary summary(String trail) {
        return new RequestSummary(Instant.now(), "openai", false, "default", trail, "ollama", "complete", 5, 1, 2);
    }

    private static final class Recorder implements RequestFeed.Watcher {
        final List<RequestSummary> started = new ArrayList<>();
        final List<RequestSummary> sent = new ArrayList<>();

        @Override
        public void start(List<RequestSummary> recent) {
            started.addAll(recent);
        }

        @Override
        public void send(RequestSummary summary) {
            sent.add(summary);
        }
    }
}
