"""The Python client against a real `rapport serve` on loopback (and the fake model server for the
LLM user): full episodes of every environment, rewards equal to `rapport run` replaying the same
moves, OpenEnv-style errors for bad messages, capacity, pings during slow steps, the adapters.

Run by ctest (RAPPORT_CLI and RAPPORT_FAKE_SERVER name the programs)."""

import asyncio
import json
import os
import subprocess
import tempfile
import unittest
import urllib.request

import websockets

from rapport_client import AsyncSession, RapportError, Session, VerlInteractWithEnv, rewards, trl_environment

CLI = os.environ.get("RAPPORT_CLI", "build/release/native/rapport")
FAKE = os.environ.get("RAPPORT_FAKE_SERVER", "build/release/tests/fake_openai_server")

# A generic agent: a question, a search, an answer, then finish; every environment answers each
# move (a format error where a move does not apply), so every kind of turn is exercised.
MOVES = [("action", "Could you tell me more about what you want?"), ("search", "options"),
         ("answer", "42"), ("action", "Is there anything else?"), ("finish", "")]


def start(args):
    """Starts a program that prints its URL on the first line; returns (process, url)."""
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    at = line.find("http://127.0.0.1:")
    if at < 0:
        process.kill()
        raise RuntimeError(f"{args[0]} did not start: {line!r}")
    return process, line[at:].split()[0].rstrip("/")


def stop(process):
    process.terminate()
    process.wait(timeout=10)


class ServerCase(unittest.TestCase):
    latency = "0"
    extra = []

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.fake, cls.fake_url = start([FAKE, "--latency", cls.latency])
        cls.server, cls.url = start([CLI, "serve", "--port", "0", "--dir", cls.tmp.name, "--user-model", "fake",
                                     "--user-base-url", cls.fake_url, "--user-api-key", "none", "--timeout", "5",
                                     "--retries", "1"] + cls.extra)

    @classmethod
    def tearDownClass(cls):
        stop(cls.server)
        stop(cls.fake)
        cls.tmp.cleanup()


def environments(url):
    with urllib.request.urlopen(url + "/environments") as r:
        return [e["name"] for e in json.load(r)]


class Episodes(ServerCase):
    extra = ["--max-sessions", "8"]

    def play(self, env, oracle):
        """Plays one episode; returns (rewards seen by the client, trajectory record, seed)."""
        with Session(self.url) as s:
            first = s.reset(env=env, seed=3, task_index=1, oracle=oracle, max_turns=len(MOVES), unknown_key=1)
            self.assertFalse(first.done)
            self.assertTrue(first.text)
            self.assertEqual(first.observation["tools"][0]["function"]["name"], "interact_with_env")
            seen, result = [], first
            for choice, content in MOVES:
                result = s.step(choice, content)
                seen.append(result.reward)
                self.assertEqual(result.observation["raw_reward"], result.reward)
                if result.done:
                    break
            self.assertTrue(result.done)
            self.assertIn("metrics", result.observation)
            self.assertEqual(result.observation["rewards"], seen)
            with self.assertRaises(RapportError) as after:
                s.step("action", "one more")
            self.assertEqual(after.exception.code, "SESSION_ERROR")
            trajectory = s.trajectory()
        self.assertEqual(rewards(trajectory), seen)
        self.assertIn("shaping", trajectory)
        return seen, trajectory

    def replay(self, trajectory, oracle):
        """Rewards of `rapport run --agent replay:FILE` for the record."""
        with tempfile.TemporaryDirectory() as d:
            moves, out = os.path.join(d, "moves.jsonl"), os.path.join(d, "out.jsonl")
            with open(moves, "w") as f:
                f.write(json.dumps(trajectory) + "\n")
            args = [CLI, "run", "--agent", "replay:" + moves, "--seed", "3", "--max-turns", str(len(MOVES)),
                    "--out", out, "--progress", "off"]
            if oracle == "llm":
                args += ["--user", "llm", "--user-model", "fake", "--user-base-url", self.fake_url,
                         "--user-api-key", "none"]
            run = subprocess.run(args, capture_output=True, text=True, timeout=120)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            with open(out) as f:
                return rewards(json.loads(f.readline()))

    def test_every_environment_scripted_and_llm_matches_rapport_run(self):
        envs = environments(self.url)
        self.assertGreaterEqual(len(envs), 6)
        for env in envs:
            for oracle in ("scripted", "llm"):
                with self.subTest(env=env, oracle=oracle):
                    seen, trajectory = self.play(env, oracle)
                    self.assertEqual(trajectory["oracle"], oracle)
                    self.assertEqual(self.replay(trajectory, oracle), seen)

    def test_llm_user_calls_the_model(self):
        seen, trajectory = self.play("turtle", "llm")
        calls = sum(len(t.get("env_calls", [])) for t in trajectory["turns"])
        self.assertGreater(calls, 0)
        self.assertTrue(all(c["response"]["ok"] for t in trajectory["turns"] for c in t.get("env_calls", [])))

    def test_async_session_and_repeated_reset(self):
        async def main():
            async with AsyncSession(self.url) as s:
                a = await s.reset(env="function", seed=1)
                b = await s.reset(env="function", seed=2)  # a second episode on the same connection
                self.assertNotEqual(a.observation["task_id"], b.observation["task_id"])
                r = await s.step(action="[action] 1 2 3 4")
                self.assertEqual(r.observation["step"], 1)
                state = await s.state()
                self.assertEqual(state["step_count"], 1)
                self.assertFalse(state["done"])
        asyncio.run(main())

    def test_environment_tool_calls(self):
        with Session(self.url) as s:
            first = s.reset(env="tau", seed=1)
            names = [t["function"]["name"] for t in first.observation["tools"]]
            self.assertEqual(names[0], "interact_with_env")
            self.assertGreater(len(names), 1)
            result = s.step(tool=names[1], arguments="{}")
            self.assertFalse(result.done)
            self.assertTrue(result.text)
            trajectory = s.trajectory()
            self.assertEqual(trajectory["turns"][0]["choice"], names[1])
            with self.assertRaises(RapportError) as bad:
                s.step(tool=names[1], arguments="[1]")
            self.assertEqual(bad.exception.code, "VALIDATION_ERROR")

    def test_searches_are_answered_by_the_server(self):
        with Session(self.url) as s:
            s.reset(env="search", seed=1)
            result = s.step("search", "born")
            self.assertNotIn("answers no searches", result.text)
            trajectory = s.trajectory()
            calls = trajectory["turns"][0]["search_calls"]
            self.assertEqual(len(calls), 1)
            self.assertTrue(calls[0]["response"]["ok"])
            self.assertGreater(len(calls[0]["response"]["passages"]), 0)

    def test_reset_by_task_id(self):
        with Session(self.url) as s:
            first = s.reset(env="telepathy", seed=5, task_index=2)
            again = s.reset(env="telepathy", seed=5, task_id=first.observation["task_id"])
            self.assertEqual(again.observation["task_id"], first.observation["task_id"])
            self.assertEqual(again.observation["episode_seed"], first.observation["episode_seed"])
            other = s.reset(env="telepathy", seed=5, task_id=first.observation["task_id"], sample=1)
            self.assertNotEqual(other.observation["episode_seed"], first.observation["episode_seed"])
            with self.assertRaises(RapportError) as missing:
                s.reset(env="telepathy", task_id="no such task")
            self.assertEqual(missing.exception.code, "VALIDATION_ERROR")

    def test_bad_messages_get_errors_and_the_connection_stays_usable(self):
        async def main():
            async with websockets.connect(self.url.replace("http", "ws") + "/ws") as ws:
                async def ask(text):
                    await ws.send(text)
                    return json.loads(await ws.recv())
                cases = [
                    ('{"type":"step","data":{"choice":"action","content":"hi"}}', "SESSION_ERROR"),  # before reset
                    ("not json", "INVALID_JSON"),
                    ("[1, 2]", "INVALID_JSON"),
                    ('{"type":"dance"}', "UNKNOWN_TYPE"),
                    ('{"data":{}}', "VALIDATION_ERROR"),
                    ('{"type":"reset","data":{"env":"nosuchenv"}}', "VALIDATION_ERROR"),
                    ('{"type":"reset","data":{"seed":-1}}', "VALIDATION_ERROR"),
                ]
                for text, code in cases:
                    reply = await ask(text)
                    self.assertEqual(reply["type"], "error", text)
                    self.assertEqual(reply["data"]["code"], code, text)
                    self.assertTrue(reply["data"]["message"])
                self.assertEqual((await ask('{"type":"reset","data":{"env":"function"}}'))["type"], "observation")
                for text in ('{"type":"step","data":{"choice":1}}', '{"type":"step","data":{"move":"x"}}',
                             '{"type":"step","data":"x"}', '{"type":"step"}',
                             '{"type":"step","data":{"choice":"action","action":"[action] x"}}'):
                    reply = await ask(text)
                    self.assertEqual(reply["data"]["code"], "VALIDATION_ERROR", text)
                # An unknown choice is the agent's mistake: an observation with a format error.
                reply = await ask('{"type":"step","data":{"choice":"dance","content":"x"}}')
                self.assertEqual(reply["type"], "observation")
                self.assertTrue(reply["data"]["observation"]["format_error"])
                # Several requests at once: one reply each, in order.
                await ws.send('{"type":"state"}')
                await ws.send('bad')
                await ws.send('{"type":"step","data":{"action":"[action] 1 2 3 4"}}')
                kinds = [json.loads(await ws.recv())["type"] for _ in range(3)]
                self.assertEqual(kinds, ["state", "error", "observation"])
            # A huge frame closes that connection with 1009 (message too big); the server lives on.
            async with websockets.connect(self.url.replace("http", "ws") + "/ws", max_size=None) as ws:
                # The close may arrive while the frame is still being sent.
                with self.assertRaises(websockets.ConnectionClosed) as closed:
                    await ws.send("x" * (2 << 20))
                    await ws.recv()
                self.assertEqual(closed.exception.code, 1009)
            async with AsyncSession(self.url) as s:
                self.assertFalse((await s.reset()).done)
        asyncio.run(main())

    def test_capacity(self):
        async def main():
            open_sessions = [await websockets.connect(self.url.replace("http", "ws") + "/ws") for _ in range(8)]
            extra = await websockets.connect(self.url.replace("http", "ws") + "/ws")
            reply = json.loads(await extra.recv())
            self.assertEqual(reply["data"]["code"], "CAPACITY_REACHED")
            with self.assertRaises(websockets.ConnectionClosed):
                await extra.recv()
            for ws in open_sessions:
                await ws.close()
            await asyncio.sleep(0.2)
            async with AsyncSession(self.url) as s:  # room again
                self.assertFalse((await s.reset()).done)
        asyncio.run(main())

    def test_garbage_never_stops_the_server(self):
        import socket
        host, port = "127.0.0.1", int(self.url.rsplit(":", 1)[1])
        probes = [b"\x00\xff" * 5000, b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 70000 + b"\r\n\r\n",
                  b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
                  b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n{",
                  b"GET / HTTP/1.1\r\nHost: x\r\n", b"BREW /pot HTCPCP/1.0\r\n\r\n"]
        for probe in probes:
            with socket.create_connection((host, port), timeout=5) as c:
                try:  # the server may answer 400 and close before the probe is all sent
                    c.sendall(probe)
                    c.shutdown(socket.SHUT_WR)
                    c.recv(1 << 16)
                except OSError:
                    pass
        with urllib.request.urlopen(self.url + "/health") as r:
            self.assertEqual(json.load(r)["status"], "healthy")

    def test_http_routes(self):
        with urllib.request.urlopen(self.url + "/health") as r:
            self.assertEqual(json.load(r)["status"], "healthy")
        with urllib.request.urlopen(self.url + "/schema") as r:
            schema = json.load(r)
        self.assertEqual(set(schema), {"action", "observation", "state"})
        self.assertIn("choice", schema["action"]["properties"])
        with urllib.request.urlopen(self.url + "/metadata") as r:  # OpenEnv's EnvironmentMetadata fields only
            self.assertEqual(set(json.load(r)), {"name", "description", "readme_content", "version", "author",
                                                 "documentation_url"})

    def test_trl_and_verl_adapters(self):
        Env = trl_environment(self.url, env="function", seed=4)
        env = Env()
        prompt = env.reset(task_index=0, not_a_reset_key="ignored")
        self.assertIn("hidden function", prompt)
        self.assertTrue(env.interact_with_env("action", "1 2 3 4"))
        env.interact_with_env("finish", "")
        self.assertTrue(env.done)
        self.assertEqual(len(env.trajectory()["turns"]), 2)

        async def verl():
            tool = VerlInteractWithEnv({"base_url": self.url, "reset": {"env": "telepathy"}})
            instance = await tool.create(None, seed=2)
            text, reward, metrics = await tool.execute(instance, {"choice": "action", "content": "Is it alive?"})
            self.assertTrue(text)
            _, _, metrics = await tool.execute(instance, {"choice": "finish", "content": ""})
            self.assertTrue(metrics["done"])
            self.assertEqual(await tool.calc_reward(instance), reward)
            await tool.release(instance)
        asyncio.run(verl())


class SlowModel(ServerCase):
    """A model slower than the step timeout: pings are answered while the step waits, the step
    gets a clear EXECUTION_ERROR in time, and the session asks for a reset."""

    latency = "1.5"
    extra = ["--step-timeout", "0.8", "--idle-timeout", "2"]

    def test_idle_sessions_are_reaped(self):
        async def main():
            async with websockets.connect(self.url.replace("http", "ws") + "/ws") as ws:
                await ws.send('{"type":"reset","data":{"env":"function"}}')
                self.assertEqual(json.loads(await ws.recv())["type"], "observation")
                with self.assertRaises(websockets.ConnectionClosed) as closed:
                    await asyncio.wait_for(ws.recv(), timeout=10)
                self.assertEqual(closed.exception.code, 1001)
                self.assertIn("idle", closed.exception.reason)
        asyncio.run(main())

    def test_pings_answered_and_step_timeout(self):
        async def main():
            async with AsyncSession(self.url, ping_interval_s=0.1, ping_timeout_s=0.3) as s:
                await s.reset(env="turtle", oracle="llm")
                with self.assertRaises(RapportError) as slow:
                    await s.step("action", "Did someone die?")
                self.assertEqual(slow.exception.code, "EXECUTION_ERROR")
                self.assertIn("0.8 s", slow.exception.message)
                with self.assertRaises(RapportError) as next_step:
                    await s.step("action", "Again?")
                self.assertEqual(next_step.exception.code, "SESSION_ERROR")
                await asyncio.sleep(1.0)  # the late completion arrives and is dropped; pings go on
                first = await s.reset(env="function")
                self.assertFalse(first.done)
        asyncio.run(main())


if __name__ == "__main__":
    unittest.main()
