// write_report: one self-contained report.html with a metrics table and the run's pictures.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <typenet/viz/text_file.hpp>

namespace typenet {

/// A named value shown in the report, already formatted ("test accuracy", "98.7 %").
using Metric = std::pair<std::string, std::string>;

namespace detail {

inline std::string html_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

/// A relative file name as a URL path: '/' kept, anything else outside the unreserved set
/// percent-encoded, so names with spaces or '#' still link.
inline std::string url_path(std::string_view name) {
    std::string out;
    for (const char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '_' || c == '.' || c == '~' || c == '/';
        out += keep ? std::string(1, ch) : fmt::format("%{:02X}", c);
    }
    return out;
}

constexpr std::string_view report_style = R"(
body { font-family: system-ui, sans-serif; color: #222; max-width: 1240px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.5em; border-bottom: 2px solid #0072b2; padding-bottom: .3em; }
h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; }
th, td { padding: .35em 1.2em .35em .5em; border-bottom: 1px solid #ddd; text-align: left; }
td.value { font-variant-numeric: tabular-nums; }
tr:nth-child(even) { background: #f6f8fa; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { color: #666; font-size: .9em; }
.note { background: #fff8e1; border-left: 4px solid #e69f00; padding: .6em 1em; }
code { background: #f0f0f0; padding: .1em .3em; }
)";

}  // namespace detail

/// Writes `out_dir`/report.html: `title`, the `metrics` table, then each of `pictures` (file
/// names relative to `out_dir`) that exists, linked relatively so the folder can be moved or
/// published as is. A missing picture with a gnuplot script beside it (curves.png and curves.gp)
/// gets a note with the command that renders it. Returns the report's path; throws
/// std::runtime_error when it cannot be written.
inline std::filesystem::path write_report(const std::filesystem::path& out_dir, std::string_view title,
                                          const std::vector<Metric>& metrics, const std::vector<std::string>& pictures) {
    namespace fs = std::filesystem;
    using detail::html_escape;
    detail::make_output_directory(out_dir);

    std::string html = fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n"
        "<style>{1}</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
        html_escape(title), detail::report_style);

    if (!metrics.empty()) {
        html += "<h2>Metrics</h2>\n<table>\n";
        for (const auto& [name, value] : metrics) {
            html += fmt::format("<tr><th>{}</th><td class=\"value\">{}</td></tr>\n", html_escape(name),
                                html_escape(value));
        }
        html += "</table>\n";
    }

    if (!pictures.empty()) html += "<h2>Pictures</h2>\n";
    std::error_code ignored;
    for (const std::string& name : pictures) {
        const fs::path picture = out_dir / name;
        if (fs::is_regular_file(picture, ignored)) {
            const std::string url = html_escape(detail::url_path(name));
            html += fmt::format(
                "<figure><a href=\"{0}\"><img src=\"{0}\" alt=\"{1}\"></a><figcaption>{1}</figcaption></figure>\n", url,
                html_escape(name));
            continue;
        }
        const fs::path script = fs::path(name).replace_extension(".gp");
        if (fs::is_regular_file(out_dir / script, ignored)) {
            const fs::path folder = fs::path(name).parent_path();
            const std::string command = folder.empty()
                                            ? fmt::format("gnuplot {}", script.filename().string())
                                            : fmt::format("cd {} &amp;&amp; gnuplot {}", html_escape(folder.string()),
                                                          html_escape(script.filename().string()));
            html += fmt::format(
                "<p class=\"note\"><b>{}</b> was not rendered (gnuplot was not available or failed). "
                "Its data and script are in this folder: run <code>{}</code> here, then reload this page.</p>\n",
                html_escape(name), command);
        } else {
            html += fmt::format("<p class=\"note\"><b>{}</b> is missing.</p>\n", html_escape(name));
        }
    }
    html += "</body>\n</html>\n";

    const fs::path report = out_dir / "report.html";
    detail::write_text_file(report, html);
    return report;
}

}  // namespace typenet
