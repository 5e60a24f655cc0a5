-- wrk: POST the JSON in $BODY with the headers an OpenAI-style client sends
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
