// `tiergate serve -c FILE.yaml [--listen HOST:PORT]`: runs the router until SIGINT or SIGTERM.
#include <boost/asio/signal_set.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <future>
#include <iostream>

#include "cli/commands.h"
#include "config/config.h"
#include "gateway/app.h"
#include "http/io_pool.h"
#include "http/server.h"

namespace tiergate::cli {
namespace {

struct ServeArgs {
  std::string config_path;
  std::string listen;
};

int serve(const ServeArgs& args) {
  // Diagnostics go to stderr; stdout carries only the access log.
  spdlog::set_default_logger(spdlog::stderr_color_mt("tiergate"));
  auto config = config::load_config_file(args.config_path);
  if (!config) {
    std::cerr << "tiergate: " << config.error().message << "\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str((*config)->logging.level));
  std::string listen = args.listen.empty() ? (*config)->listen : args.listen;
  auto hp = config::parse_host_port(listen);
  if (!hp) {
    std::cerr << "tiergate: --listen: " << hp.error().message << "\n";
    return 2;
  }
  if (auto st = config::check_auth_for_listen(**config, listen); !st) {
    std::cerr << "tiergate: " << st.error().message << "\n";
    return 2;
  }

  std::signal(SIGPIPE, SIG_IGN);
  http::IoPool pool((*config)->limits.threads);
  auto app = gateway::App::create(*config, pool);
  if (!app) {
    std::cerr << "tiergate: " << app.error().message << "\n";
    return 2;
  }
  gateway::App& a = **app;
  http::Server server(pool, (*config)->limits,
                      [&a](http::Exchange& ex) { return a.handle(ex); });
  a.metrics().watch_server(server.stats());
  auto port = server.listen(hp->host, hp->port);
  if (!port) {
    std::cerr << "tiergate: " << port.error().message << "\n";
    return 2;
  }
  boost::asio::signal_set signals(pool.at(0), SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", sig);
    server.stop();
    a.shutdown();
    pool.stop();
  });
  pool.start();
  // Tests and scripts read this line to learn the port (with --listen HOST:0).
  spdlog::info("listening on {}:{} ({} event-loop threads)", hp->host, *port, pool.size());
  std::cerr << "tiergate: listening on " << hp->host << ":" << *port << std::endl;
  pool.join();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "Run the OpenAI-compatible router");
  cmd->add_option("-c,--config", args->config_path, "Configuration file (YAML)")->required();
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (overrides the config; port 0 picks a free one)");
  cmd->callback([args, &exit_code] { exit_code = serve(*args); });
}

}  // namespace tiergate::cli
