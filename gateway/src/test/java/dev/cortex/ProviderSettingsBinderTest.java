package dev.cortex;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import dev.cortex.provider.Capabilities;
import dev.cortex.provider.ProviderSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** provider.<name>.* blocks bound onto typed settings: every key placed, a misspelt one refused by name. */
class ProviderSettingsBinderTest {

    private static List<ProviderSettings> bind(String... keyValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        DefaultCamelContext context = new DefaultCamelContext(); // never started: only its properties are read
        context.getPropertiesComponent().setInitialProperties(properties);
        return new ProviderSettingsBinder(context).bindAll();
    }

    @Test
    void everyKeyOfABlockReachesItsTypedSetting() {
        List<ProviderSettings> all = bind(
                "provider.router.kind", "openai",
                "provider.router.base-url", "http://127.0.0.1:1/v1/",
                "provider.router.api-key", "sk-a, sk-b",
                "provider.router.models", "m1,m2",
                "provider.router.max-tokens-field", "max_completion_tokens",
                "provider.router.stream-usage", "false",
                "provider.router.timeout.total-ms", "9000",
                "provider.local.kind", "ollama",
                "provider.local.local", "true",
                "provider.local.base-url", "http://127.0.0.1:2",
                "provider.local.price-per-million-tokens", "0.5",
                "provider.local.max-memory-mb", "1024",
                "provider.local.keep-alive", "5m");

        assertThat(all).extracting(ProviderSettings::name).containsExactly("local", "router");
        ProviderSettings local = all.get(0);
        ProviderSettings router = all.get(1);
        assertThat(router.kind()).isEqualTo(ProviderSettings.Kind.OPENAI);
        assertThat(router.baseUrl()).isEqualTo("http://127.0.0.1:1/v1");
        assertThat(router.keys()).containsExactly("sk-a", "sk-b");
        assertThat(router.modelList()).containsExactly("m1", "m2");
        assertThat(router.maxTokensField()).isEqualTo("max_completion_tokens");
        assertThat(router.streamUsage()).isFalse();
        assertThat(router.timeouts().total()).isEqualTo(Duration.ofMillis(9000));
        assertThat(local.kind()).isEqualTo(ProviderSettings.Kind.OLLAMA);
        assertThat(local.needsKey()).isFalse();
        assertThat(local.pricePerMillionTokens())
                .as("a local provider costs nothing")
                .isZero();
        assertThat(local.localModels().maxMemoryMb()).isEqualTo(1024);
        assertThat(local.localModels().keepAlive()).isEqualTo("5m");
    }

    @Test
    void theCapabilityAndContextWindowTablesBindPerModel() {
        ProviderSettings groq = bind(
                        "provider.groq.kind", "openai",
                        "provider.groq.base-url", "http://127.0.0.1:1",
                        "provider.groq.models", "llama-3.1-8b-instant,meta-llama/llama-4-scout",
                        "provider.groq.capabilities", "tools",
                        "provider.groq.capabilities.meta-llama/llama-4-scout", "tools, json_schema, vision",
                        "provider.groq.context-window", "131072",
                        "provider.groq.context-window.llama-3.1-8b-instant", "8192",
                        "provider.groq.embedding-models", "embed-1")
                .get(0);

        assertThat(groq.capabilities("llama-3.1-8b-instant"))
                .isEqualTo(new Capabilities(true, true, false, false, false, 8192));
        assertThat(groq.capabilities("meta-llama/llama-4-scout"))
                .as("a model's own line replaces the provider's")
                .isEqualTo(new Capabilities(true, true, true, true, false, 131072));
        assertThat(groq.capabilities("embed-1")).isEqualTo(Capabilities.embedding(131072));
        assertThatThrownBy(() -> bind(
                        "provider.groq.kind", "openai",
                        "provider.groq.base-url", "http://127.0.0.1:1",
                        "provider.groq.models", "m1",
                        "provider.groq.capabilities.m1", "tools, telepathy"))
                .hasMessageContaining("provider.groq.capabilities.m1")
                .hasMessageContaining("telepathy");
        assertThatThrownBy(() -> bind(
                        "provider.groq.kind", "openai",
                        "provider.groq.base-url", "http://127.0.0.1:1",
                        "provider.groq.models", "m1",
                        "provider.groq.context-window.m1", "big"))
                .hasMessageContaining("provider.groq.context-window.m1");
    }

    @Test
    void aMisspeltKeyStopsStartUpWithItsName() {
        assertThatThrownBy(() -> bind(
                        "provider.router.kind", "openai",
                        "provider.router.base-url", "http://127.0.0.1:1",
                        "provider.router.models", "m1",
                        "provider.router.max-concurent", "4"))
                .hasMessageContaining("provider.router.max-concurent");
    }

    @Test
    void aBlockWithoutAKindOrWithAnImpossibleValueIsRefused() {
        assertThatThrownBy(() -> bind("provider.router.base-url", "http://127.0.0.1:1"))
                .hasMessageContaining("provider.router.kind");
        assertThatThrownBy(() -> bind(
                        "provider.router.kind", "openai",
                        "provider.router.base-url", "http://127.0.0.1:1",
                        "provider.router.models", "m1",
                        "provider.router.max-concurrent", "0"))
                .hasMessageContaining("provider.router.max-concurrent");
    }
}
