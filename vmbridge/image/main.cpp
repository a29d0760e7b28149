// spectrum-image: builds VM images from Debian package lists ([image.NAME] in the config)
// into a content-addressed cache, and tells the supervisor where a verified image is.
//
//   spectrum-image build [--config FILE] [--image-dir DIR] [--update] (NAME...|--all)
//   spectrum-image list [--config FILE] [--image-dir DIR] [--json]
//   spectrum-image paths [--config FILE] [--image-dir DIR] NAME
//
// Exit status: 0 done; 1 an error (one line on stderr); 2 a usage or config error;
// 3 (paths only) the image is not built for the current config.
#include "builder.hpp"
#include "config.hpp"
#include "image.hpp"

#include <print>

int main(int argc, char** argv) {
    using namespace spectrum;
    std::vector<std::string_view> args(argv + 1, argv + argc);
    auto options = image::parse_args(args);
    if (!options) {
        std::println(stderr, "spectrum-image: {}\n{}", options.error(), image::usage);
        return image::exit_usage;
    }
    if (options->command == image::Command::Help) {
        std::println("{}", image::usage);
        return image::exit_ok;
    }
    const std::string config_path =
        options->config_path.empty() ? config::default_path() : options->config_path;
    auto config = config::load(config_path);
    if (!config) {
        std::println(stderr, "spectrum-image: {}", config.error().format());
        return image::exit_usage;
    }
    const std::filesystem::path image_dir =
        options->image_dir.empty() ? config->image_dir : std::filesystem::path(options->image_dir);
    auto env = image::discover(image_dir);
    if (!env) {
        std::println(stderr, "spectrum-image: {}", env.error());
        return image::exit_error;
    }
    switch (options->command) {
    case image::Command::Build: {
        std::vector<std::string> names = options->names;
        if (options->all) {
            names = {std::string(config::base_image_name)};
            for (const auto& image : config->images)
                names.push_back(image.name);
        }
        return image::build_images(*env, *config, names, options->update);
    }
    case image::Command::List:
        return image::list_images(*env, *config, options->json);
    case image::Command::Paths:
        return image::print_paths(*env, *config, options->names[0]);
    case image::Command::Help:
        break;
    }
    return image::exit_ok;
}
