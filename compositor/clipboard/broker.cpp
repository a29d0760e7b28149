#include "broker.hpp"

#include "captured_source.hpp"
#include "domain.hpp"
#include "notice/notice.hpp"
#include "proxy_source.hpp"
#include "selection_router.hpp"
#include "server.hpp"
#include "view.hpp"

namespace spectrum {

namespace {

using policy::ClipboardEvent;

policy::ClipboardSettings settings_from(const config::ClipboardConfig& config) {
    policy::ClipboardSettings settings{.wipe_after_paste = config.wipe_after_paste, .rules = {}};
    for (const auto& rule : config.rules) {
        const auto decision = rule.action == config::TransferAction::Deny      ? policy::TransferDecision::Deny
                              : rule.action == config::TransferAction::Confirm ? policy::TransferDecision::Confirm
                                                                               : policy::TransferDecision::Allow;
        settings.rules.push_back({rule.from, rule.to, decision});
    }
    return settings;
}

// The domain of the focused window; nullopt with no window (or an orphaned VM window).
std::optional<std::string> focused_domain(Server& server) {
    View* view = server.focused_view();
    return view ? surface_domain(view->surface()) : std::nullopt;
}

} // namespace

ClipboardBroker::ClipboardBroker(Server& server, SelectionRouter& router, NoticeOverlay& notice)
    : server_(server), router_(router), notice_(notice), writers_(server.loop) {
    copy_timer_ = wl_event_loop_add_timer(server.loop, &ClipboardBroker::handle_copy_timeout, this);
    prompt_timer_ = wl_event_loop_add_timer(server.loop, &ClipboardBroker::handle_prompt_timeout, this);
    display_destroy_.self = this;
    display_destroy_.listener.notify = [](wl_listener* listener, void*) {
        reinterpret_cast<Hook*>(listener)->self->teardown();
    };
    wl_display_add_destroy_listener(server.display, &display_destroy_.listener);
}

ClipboardBroker::~ClipboardBroker() { teardown(); }

void ClipboardBroker::teardown() {
    if (!display_destroy_.self) return;
    display_destroy_.self = nullptr;
    wl_list_remove(&display_destroy_.listener.link);
    stop_reading();
    writers_.clear();
    if (copy_timer_) wl_event_source_remove(copy_timer_);
    if (prompt_timer_) wl_event_source_remove(prompt_timer_);
    copy_timer_ = prompt_timer_ = nullptr;
}

// --- copy --------------------------------------------------------------------------------------

void ClipboardBroker::copy() {
    close_prompt();
    stop_reading();
    const auto domain = focused_domain(server_);
    if (!domain) {
        tell({ClipboardEvent::NoWindow, {}}, "");
        return;
    }
    const config::ClipboardConfig& config = server_.config().clipboard;
    state_.set_settings(settings_from(config));
    wlr_data_source* source = router_.selection_of(*domain);
    std::vector<std::string> offered;
    if (source)
        for (const char* type : mime_types_of(source->mime_types)) offered.emplace_back(type);
    auto started = state_.begin_copy(*domain, offered, config.mime_types, domain_clipboard_cap(server_, *domain));
    if (auto* notice = std::get_if<policy::Notice>(&started)) {
        tell(*notice, *domain);
        return;
    }
    copy_source_ = source;
    copy_domain_ = *domain;
    copy_source_destroy_.connect(&source->events.destroy, [this](void*) {
        // The VM dropped its selection mid-copy: what is read so far is all there is.
        copy_source_destroy_.disconnect();
        copy_source_ = nullptr;
    });
    if (copy_timer_) wl_event_source_timer_update(copy_timer_, static_cast<int>(config.timeout_ms));
    read_next();
}

void ClipboardBroker::read_next() {
    policy::CaptureJob* job = state_.job();
    if (!job) return;
    if (!copy_source_)
        while (job->current()) job->finish_current();
    const policy::CaptureItem* item = job->current();
    if (!item) {
        end_copy(std::nullopt);
        return;
    }
    Pipe pipe;
    if (!open_pipe(pipe)) {
        wlr_log(WLR_ERROR, "clipboard: cannot create a pipe to read the selection");
        end_copy(ClipboardEvent::SourceSilent);
        return;
    }
    reader_ = std::make_unique<PipeReader>(
        server_.loop, pipe.read,
        PipeReader::Callbacks{
            .room = [this] { return state_.job() ? state_.job()->room() : 1; },
            .data =
                [this](std::string_view bytes) {
                    if (state_.job() && state_.job()->append(bytes)) return true;
                    end_copy(ClipboardEvent::TooLarge);
                    return false;
                },
            .end =
                [this] {
                    if (state_.job()) state_.job()->finish_current();
                    reader_.reset();
                    read_next();
                },
        });
    // The source gets the write end (wlroots passes it on and closes ours): the data comes
    // back through the pipe, read as it arrives.
    wlr_data_source_send(copy_source_, item->read.c_str(), pipe.write);
}

void ClipboardBroker::end_copy(std::optional<ClipboardEvent> failure) {
    stop_reading();
    policy::Notice notice = failure ? state_.fail_copy(*failure) : state_.finish_copy();
    notice.facts.timeout_ms = server_.config().clipboard.timeout_ms;
    tell(std::move(notice), copy_domain_);
}

void ClipboardBroker::stop_reading() {
    reader_.reset();
    if (copy_timer_) wl_event_source_timer_update(copy_timer_, 0);
    copy_source_destroy_.disconnect();
    copy_source_ = nullptr;
}

int ClipboardBroker::handle_copy_timeout(void* data) {
    auto* self = static_cast<ClipboardBroker*>(data);
    if (self->state_.job()) self->end_copy(ClipboardEvent::SourceSilent);
    return 0;
}

// --- paste -------------------------------------------------------------------------------------

void ClipboardBroker::paste() {
    const auto domain = focused_domain(server_);
    if (!domain) {
        tell({ClipboardEvent::NoWindow, {}}, "");
        return;
    }
    state_.set_settings(settings_from(server_.config().clipboard));
    auto result = state_.request_paste(*domain);
    if (auto* order = std::get_if<policy::PasteOrder>(&result)) {
        carry_out(*order);
        return;
    }
    auto& notice = std::get<policy::Notice>(result);
    if (notice.event == ClipboardEvent::AskConfirm && prompt_timer_)
        wl_event_source_timer_update(prompt_timer_, static_cast<int>(server_.config().clipboard.confirm_ms));
    tell(std::move(notice), *domain);
}

void ClipboardBroker::carry_out(const policy::PasteOrder& order) {
    // From now on the data is the target VM's own clipboard: an ordinary paste there reads it.
    router_.set_owned_selection(order.target, create_captured_source(order.capture, writers_, order.target));
    tell(state_.pasted(order), order.target);
}

bool ClipboardBroker::prompt_open() const { return state_.phase() == policy::ClipboardState::Phase::Confirming; }

void ClipboardBroker::prompt_key(xkb_keysym_t sym) {
    if (!prompt_open()) return;
    bool yes = false;
    if (sym == XKB_KEY_Return || sym == XKB_KEY_KP_Enter) yes = true;
    else if (sym != XKB_KEY_Escape) return; // any other key: the prompt stays, the key goes nowhere
    close_prompt();
    auto result = state_.answer(yes);
    if (auto* order = std::get_if<policy::PasteOrder>(&result)) carry_out(*order);
    else tell(std::get<policy::Notice>(std::move(result)), "");
}

void ClipboardBroker::close_prompt() {
    if (prompt_timer_) wl_event_source_timer_update(prompt_timer_, 0);
    if (last_ && last_->event == ClipboardEvent::AskConfirm && notice_.visible()) notice_.hide();
}

int ClipboardBroker::handle_prompt_timeout(void* data) {
    auto* self = static_cast<ClipboardBroker*>(data);
    if (!self->prompt_open()) return 0;
    self->close_prompt();
    self->tell(std::get<policy::Notice>(self->state_.answer(false)), "");
    return 0;
}

// --- notices -----------------------------------------------------------------------------------

void ClipboardBroker::tell(policy::Notice notice, const std::string& accent_domain) {
    // Shown as the title bars show VMs: by label.
    if (!notice.facts.source.empty()) notice.facts.source = domain_label(server_, notice.facts.source);
    if (!notice.facts.target.empty()) notice.facts.target = domain_label(server_, notice.facts.target);
    const std::string text = notice.text();
    // Sizes, names and types only: clipboard contents never reach the log.
    wlr_log(WLR_INFO, "clipboard: %s", text.c_str());
    const bool prompt = notice.event == ClipboardEvent::AskConfirm;
    const auto style = notice.is_error() ? NoticeOverlay::Style::Error : NoticeOverlay::Style::Info;
    const config::Color accent =
        accent_domain.empty() ? NoticeOverlay::error_accent : domain_color(server_, accent_domain);
    notice_.show(text, style, accent, prompt ? 0 : server_.config().clipboard.notice_ms);
    last_ = std::move(notice);
    ++notices_shown_;
}

} // namespace spectrum
