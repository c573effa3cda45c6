"""Locust scenario: clinicians log in, run the wizard and save cases, again and again.

Started by bench/load.py, which creates the clinicians (LOAD_USERS, comma-separated)
and afterwards checks that every case reported here as saved is in the database.
"""

import json
import os
import random
import re
import threading

from locust import HttpUser, between, events, task

PASSWORD = os.environ["LOAD_PASSWORD"]
USERS = os.environ["LOAD_USERS"].split(",")
RESULTS_FILE = os.environ["LOAD_RESULTS_FILE"]

_next_user = iter(USERS)
_lock = threading.Lock()
saved_case_ids: list[int] = []

SITES = ["pancreas", "stomach", "duodenum", "small_intestine", "appendix", "colon", "rectum"]


def random_case(rng: random.Random) -> dict[str, dict[str, str]]:
    site = rng.choice(SITES)
    extent = rng.choice(["localised", "regional_nodes", "distant_metastases"])
    steps = {
        "tumour": {
            "site": site,
            "tumour_type": rng.choice(["non_functional", "insulinoma", "gastrinoma"]),
            "hormonal_symptoms": rng.choice(["yes", "no"]),
        },
        "pathology": {
            "differentiation": rng.choice(["well", "well", "poor", "unknown"]),
            "ki67_percent": str(rng.randint(0, 400) / 10),
            "mitoses_per_10hpf": str(rng.randint(0, 40)),
        },
        "extent": {
            "size_mm": str(rng.randint(1, 900) / 10),
            "extent": extent,
            "ssr_imaging": rng.choice(["positive", "negative", "not_done"]),
        },
    }
    if site == "pancreas":
        steps = {"tumour": steps["tumour"],
                 "pancreas": {"pancreas_region": rng.choice(["head", "neck", "body", "tail"])},
                 "pathology": steps["pathology"], "extent": steps["extent"]}
    if site == "stomach":
        steps = {"tumour": steps["tumour"],
                 "stomach": {"gastric_type": rng.choice(["type_1", "type_2", "type_3", "unknown"])},
                 "pathology": steps["pathology"], "extent": steps["extent"]}
    if extent == "distant_metastases":
        steps["metastases"] = {"metastases_resectable": rng.choice(["yes", "no", "unknown"])}
    steps["review"] = {"reference": f"LOAD-{rng.randint(1, 9999)}"}
    return steps


class Clinician(HttpUser):
    wait_time = between(0.1, 0.5)

    def on_start(self) -> None:
        with _lock:
            self.username = next(_next_user)
        self.rng = random.Random(self.username)
        self.client.get("/accounts/login/")
        response = self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
            allow_redirects=False,
            name="/accounts/login/",
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.username} could not log in: {response.status_code}")

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    @task
    def run_and_save_a_case(self) -> None:
        self.client.get("/", name="/")  # the "New case" form: sets the CSRF cookie
        with self.client.post(
            "/cases/new/", {"csrfmiddlewaretoken": self.csrf()}, allow_redirects=False,
            catch_response=True, name="/cases/new/",
        ) as started:
            run = re.fullmatch(r"/cases/new/([0-9a-f]{32})/", started.headers.get("Location", ""))
            if started.status_code != 302 or not run:
                started.failure(f"starting a case answered {started.status_code}")
                return
        wizard = f"/cases/new/{run.group(1)}"
        management = f"case_wizard_{run.group(1)}-current_step"
        for step, answers in random_case(self.rng).items():
            page = self.client.get(f"{wizard}/{step}/", name="/cases/new/[run]/[step]/ GET")
            data = {f"{step}-{name}": value for name, value in answers.items()}
            data |= {management: step, "csrfmiddlewaretoken": self.csrf()}
            if step == "review":
                shown = re.search(r'name="answers_shown" value="([0-9a-f]+)"', page.text)
                data["answers_shown"] = shown.group(1) if shown else ""
            with self.client.post(
                f"{wizard}/{step}/", data, allow_redirects=False, catch_response=True,
                name="/cases/new/[run]/[step]/ POST",
            ) as response:
                if response.status_code != 302:
                    response.failure(f"step {step} answered {response.status_code}")
                    return
        with self.client.get(
            f"{wizard}/done/", allow_redirects=False, catch_response=True,
            name="/cases/new/[run]/done/",
        ) as response:
            match = re.fullmatch(r"/cases/(\d+)/", response.headers.get("Location", ""))
            if response.status_code != 302 or not match:
                response.failure(f"done answered {response.status_code}")
                return
        self.client.get(match.group(0), name="/cases/[id]/")
        with _lock:
            saved_case_ids.append(int(match.group(1)))
        self.client.get("/cases/", name="/cases/")


@events.test_stop.add_listener
def write_results(environment, **kwargs) -> None:
    total = environment.stats.total
    with open(RESULTS_FILE, "w") as out:
        json.dump(
            {
                "saved": saved_case_ids,
                "requests": total.num_requests,
                "failures": total.num_failures,
                "median_ms": total.median_response_time,
                "p99_ms": total.get_response_time_percentile(0.99),
                "rps": total.total_rps,
            },
            out,
        )
