package dev.sluice.application.proxy;

import java.util.Map;

/** What an OpenAI-compatible backend answers, byte for byte. */
final class BackendAnswers {
    static final Map<String, String> SSE_HEAD = Map.of("content-type", "text/event-stream");
    static final Map<String, String> JSON_HEAD = Map.of("content-type", "application/json");

    static final String ROLE_EVENT = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n";
    static final String CONTENT_EVENT = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello ☕\"},\"finish_reason\":null}],\"usage\":null}\n\n";
    static final String STOP_EVENT = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\","
            + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n";
    static final String USAGE_EVENT = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\","
            + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}\n\n";
    static final String SERVER_ERROR = "{\"error\":{\"message\":\"The server had an error while processing your request.\","
            + "\"type\":\"server_error\",\"param\":null,\"code\":null}}";
    static final String DONE_EVENT = "data: [DONE]\n\n";
    static final String WHOLE_STREAM = ROLE_EVENT + CONTENT_EVENT + STOP_EVENT + USAGE_EVENT + DONE_EVENT;

    static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-2024-08-06\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello ☕\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}";

    static final String INVALID_REQUEST = "{\"error\":{\"message\":\"'temperature' must be at most 2\",\"type\":\"invalid_request_error\","
            + "\"param\":\"temperature\",\"code\":null}}";

    static final String RATE_LIMITED = "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\",\"param\":null}}";

    /** A stream event carrying one piece of the answer's text (plain text, put in the JSON as is). */
    static String contentEvent(String text) {
        return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-2024-08-06\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}],\"usage\":null}\n\n";
    }

    private BackendAnswers() {
    }
}
