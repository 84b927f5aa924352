package io.github.dubboredis.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.dubbo.common.utils.JsonUtils;
import org.junit.jupiter.api.Test;

/** The console's JSON: nothing from Redis leaves it as markup, a line break or a control character. */
class JsonTest {

    @Test
    void markupLineBreaksAndControlCharactersAreEscapedAndParseBackToTheRawText() {
        String hostile = "<script>alert('x')</script>&\u001b[2J\n\r\t\"\\\u2028\u2029\u007f\u0085\u0000 \u00e9\ud83d\ude00";
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("k<" + hostile, hostile);
        value.put("list", Arrays.asList(1, 2.5, true, null, hostile));
        String json = Json.write(value);
        assertThat(json).doesNotContain("<").doesNotContain(">").doesNotContain("&").doesNotContain("'")
                .doesNotContain("\n").doesNotContain("\r").doesNotContain("\u2028").doesNotContain("\u001b")
                .doesNotContain("\u0000").contains("\u00e9").contains("\ud83d\ude00");
        Map<?, ?> back = JsonUtils.toJavaObject(json, Map.class);
        assertThat(back.get("k<" + hostile)).isEqualTo(hostile);
        assertThat((List<?>) back.get("list")).hasSize(5).element(4).isEqualTo(hostile);
    }

    @Test
    void aLoneSurrogateIsEscapedRatherThanSentAsBrokenText() {
        assertThat(Json.write("a\ud800b")).isEqualTo("\"a\\ud800b\"");
        assertThat(Json.write("\udc00")).isEqualTo("\"\\udc00\"");
    }
}
