#include "native/cli/flags.h"

namespace rapport {

void add_endpoint_flags(CLI::App& command, const std::string& prefix, const std::string& who, EndpointFlags& flags) {
  const std::string group = who == "policy" ? "Policy model" : (who == "user simulator" ? "User simulator" : "Judge");
  command.add_option("--" + prefix + "model", flags.model, "Model name of the " + who)->group(group);
  command.add_option("--" + prefix + "base-url", flags.base_url,
                     "OpenAI-compatible base URL of the " + who +
                         " (default: $OPENAI_BASE_URL or https://api.openai.com/v1); several replicas of the same model: "
                         "repeat the flag or separate with commas")
      ->multi_option_policy(CLI::MultiOptionPolicy::Join)
      ->delimiter(',')
      ->group(group);
  command.add_option("--" + prefix + "api-key", flags.api_key, "API key of the " + who + " (default: $OPENAI_API_KEY)")
      ->group(group);
  command.add_option("--" + prefix + "max-requests", flags.max_concurrency,
                     "Most requests in flight to the " + who + " (default: no limit)")
      ->check(integer_in(0, 1'000'000))
      ->group(group);
  command.add_option("--" + prefix + "rpm", flags.requests_per_minute, "Requests per minute to the " + who + " (default: no limit)")
      ->check(finite_number(0, 1e12))
      ->group(group);
  command.add_option("--" + prefix + "tpm", flags.tokens_per_minute, "Tokens per minute to the " + who + " (default: no limit)")
      ->check(finite_number(0, 1e15))
      ->group(group);
}

void add_client_flags(CLI::App& command, ClientFlags& flags) {
  command.add_option("--timeout", flags.timeout_s, "Seconds one model request may take before it is retried")
      ->check(finite_number(0, 86400, true))
      ->capture_default_str()
      ->group("Requests");
  command.add_option("--retries", flags.max_retries,
                     "Retries of a request after HTTP 429/5xx, timeouts and broken connections (exponential backoff "
                     "with jitter, Retry-After honoured)")
      ->check(CLI::Range(0, 100))
      ->capture_default_str()
      ->group("Requests");
}

void add_sampling_flags(CLI::App& command, const std::string& prefix, const std::string& who, SamplingFlags& flags,
                        bool with_response_format) {
  const std::string group = who == "policy" ? "Policy model" : (who == "user simulator" ? "User simulator" : "Judge");
  const std::string fallback = who == "judge" ? " (default: the user simulator's, else the judge's own)"
                               : who == "policy" ? ""
                                                 : " (default: what each call asks for)";
  auto* t = command.add_option("--" + prefix + "temperature", flags.temperature, "Sampling temperature of the " + who + fallback)
                ->check(finite_number(0, 10))
                ->group(group);
  auto* p = command.add_option("--" + prefix + "top-p", flags.top_p, "Nucleus sampling of the " + who + fallback)
                ->check(finite_number(0, 1, true))
                ->group(group);
  auto* m = command.add_option("--" + prefix + "max-tokens", flags.max_tokens, "Completion limit per call of the " + who + fallback)
                ->check(integer_in(1, 1'000'000))
                ->group(group);
  if (who == "policy") {
    t->capture_default_str();
    p->capture_default_str();
    m->capture_default_str();
  }
  if (with_response_format)
    command.add_option("--" + prefix + "response-format", flags.response_format,
                       "Structured JSON outputs (response_format with a JSON schema) for the " + who +
                           "'s calls that must answer JSON: auto (servers on a local or private address and "
                           "api.openai.com), on or off" + (who == "judge" ? " (default: the user simulator's)" : " (default: auto)"))
        ->check(CLI::IsMember({"auto", "on", "off"}))
        ->group(group);
}

void add_task_options(CLI::App& command, TaskOptions& options) {
  command.add_option("--data", options.data_file, "Reference-format data file (or folder, for environments whose data is several files) to take tasks from (default: built-in tasks)");
  command.add_option("--split", options.split, "Split of the data file: all, train, test or dev (the splits the reference data has)")
      ->check(CLI::IsMember({"all", "train", "test", "dev"}))
      ->capture_default_str();
  command.add_option("--task", options.ids, "Task id(s) to run (from the data file or the built-in supply)");
  command.add_option("--seed", options.seed, "Seed of the built-in task supply and of the episodes (0 to 2^64-1)")
      ->check(unsigned_64())
      ->capture_default_str();
}

}  // namespace rapport
