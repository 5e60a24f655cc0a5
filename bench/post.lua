-- wrk: POST the JSON in $BODY with the headers an OpenAI-style client sends
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
-- $KEY: a gateway key, when the Cortex measured has keys (the limit-check runs); anything will do otherwise
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("KEY") or "bench")
