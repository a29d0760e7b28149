#include "clipboard_state.hpp"

#include <algorithm>
#include <format>

namespace spectrum::policy {

// --- Capture -------------------------------------------------------------------------------

Capture::Capture(std::string source, std::vector<ClipItem> items)
    : source_(std::move(source)), items_(std::move(items)) {}

Capture::~Capture() {
    for (auto& item : items_) wipe(item.bytes);
}

std::uint64_t Capture::size() const {
    std::uint64_t total = 0;
    for (const auto& item : items_) total += item.bytes.size();
    return total;
}

std::vector<std::string> Capture::mime_types() const {
    std::vector<std::string> types;
    for (const auto& item : items_)
        for (const auto& offer : item.offers) types.push_back(offer);
    return types;
}

const ClipItem* Capture::find(std::string_view mime) const {
    const std::string wanted = normalize_mime(mime);
    for (const auto& item : items_)
        for (const auto& offer : item.offers)
            if (normalize_mime(offer) == wanted) return &item;
    return nullptr;
}

// --- CaptureJob ----------------------------------------------------------------------------

CaptureJob::CaptureJob(std::string source, std::vector<CaptureItem> plan, std::uint64_t cap)
    : source_(std::move(source)), plan_(std::move(plan)), data_(plan_.size()), cap_(cap) {}

CaptureJob::~CaptureJob() {
    for (auto& bytes : data_) wipe(bytes);
}

const CaptureItem* CaptureJob::current() const {
    return index_ < plan_.size() ? &plan_[index_] : nullptr;
}

bool CaptureJob::append(std::string_view data) {
    if (index_ >= plan_.size()) return false;
    if (data.size() > cap_ - total_) {
        total_ = cap_ + 1;
        for (auto& bytes : data_) wipe(bytes);
        return false;
    }
    std::string& bytes = data_[index_];
    if (bytes.size() + data.size() > bytes.capacity()) {
        // Grow by hand so that every buffer left behind is zeroed first, not freed as is.
        std::string bigger;
        bigger.reserve(std::max<std::size_t>(bytes.capacity() * 2, bytes.size() + data.size()));
        bigger.append(bytes);
        wipe(bytes);
        bytes.swap(bigger);
    }
    bytes.append(data);
    total_ += data.size();
    return true;
}

void CaptureJob::finish_current() {
    if (index_ < plan_.size()) ++index_;
}

std::shared_ptr<const Capture> CaptureJob::take() {
    if (current() != nullptr) return nullptr;
    std::vector<ClipItem> items;
    for (std::size_t i = 0; i < plan_.size(); ++i) {
        if (data_[i].empty()) continue;
        if (plan_[i].text) make_valid_utf8(data_[i]);
        items.push_back({.offers = plan_[i].offers, .text = plan_[i].text, .bytes = std::move(data_[i])});
        data_[i] = {};
    }
    if (items.empty()) return nullptr;
    return std::make_shared<const Capture>(source_, std::move(items));
}

// --- notices -------------------------------------------------------------------------------

std::string format_bytes(std::uint64_t bytes) {
    if (bytes < 1024) return std::format("{} B", bytes);
    constexpr std::string_view units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes) / 1024.0;
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(units)) {
        value /= 1024.0;
        ++unit;
    }
    return std::format("{:.1f} {}", value, units[unit]);
}

std::string_view event_name(ClipboardEvent event) {
    switch (event) {
    case ClipboardEvent::Copied: return "copied";
    case ClipboardEvent::Pasted: return "pasted";
    case ClipboardEvent::NoWindow: return "no-window";
    case ClipboardEvent::NothingToCopy: return "nothing-to-copy";
    case ClipboardEvent::NoAllowedTypes: return "no-allowed-types";
    case ClipboardEvent::TooLarge: return "too-large";
    case ClipboardEvent::SourceSilent: return "source-silent";
    case ClipboardEvent::StillCopying: return "still-copying";
    case ClipboardEvent::NothingToPaste: return "nothing-to-paste";
    case ClipboardEvent::Denied: return "denied";
    case ClipboardEvent::AskConfirm: return "ask-confirm";
    case ClipboardEvent::Cancelled: return "cancelled";
    }
    return "unknown";
}

bool Notice::is_error() const {
    return event != ClipboardEvent::Copied && event != ClipboardEvent::Pasted &&
           event != ClipboardEvent::AskConfirm;
}

std::string Notice::text() const {
    const NoticeFacts& f = facts;
    auto vm = [](const std::string& name) { return std::format("[{}]", name); };
    switch (event) {
    case ClipboardEvent::Copied: {
        std::string kinds;
        for (const auto& kind : f.kinds) kinds += (kinds.empty() ? "" : ", ") + kind;
        return std::format("Copied {} ({}) from {}", format_bytes(f.bytes), kinds, vm(f.source));
    }
    case ClipboardEvent::Pasted:
        return std::format("Pasted {} from {} into {}", format_bytes(f.bytes), vm(f.source), vm(f.target));
    case ClipboardEvent::NoWindow:
        return "Clipboard: no window has the focus";
    case ClipboardEvent::NothingToCopy:
        return std::format("Nothing to copy in {}", vm(f.source));
    case ClipboardEvent::NoAllowedTypes:
        return std::format("Not copied: {} offers no type the clipboard carries", vm(f.source));
    case ClipboardEvent::TooLarge:
        return std::format("Not copied: {} offered more than {} (the clipboard cap)", vm(f.source),
                           format_bytes(f.cap));
    case ClipboardEvent::SourceSilent:
        return std::format("Not copied: {} did not answer within {:.1f} s", vm(f.source),
                           f.timeout_ms / 1000.0);
    case ClipboardEvent::StillCopying:
        return std::format("Still copying from {}: paste again in a moment", vm(f.source));
    case ClipboardEvent::NothingToPaste:
        return "Nothing to paste: copy first";
    case ClipboardEvent::Denied:
        return std::format("Denied by policy: {} \u2192 {}", vm(f.source), vm(f.target));
    case ClipboardEvent::AskConfirm:
        return std::format("Paste {} from {} into {}?   Enter: paste   Esc: cancel", format_bytes(f.bytes),
                           vm(f.source), vm(f.target));
    case ClipboardEvent::Cancelled:
        return std::format("Paste into {} cancelled", vm(f.target));
    }
    return {};
}

// --- ClipboardState ------------------------------------------------------------------------

std::variant<CaptureJob*, Notice> ClipboardState::begin_copy(std::string source,
                                                             std::span<const std::string> offered,
                                                             std::span<const std::string> allowed,
                                                             std::uint64_t cap) {
    job_.reset();
    held_.reset();
    confirm_target_.reset();
    if (offered.empty()) return Notice{ClipboardEvent::NothingToCopy, {.source = source}};
    auto plan = plan_capture(offered, allowed);
    if (plan.empty()) return Notice{ClipboardEvent::NoAllowedTypes, {.source = source}};
    job_ = std::make_unique<CaptureJob>(std::move(source), std::move(plan), cap);
    return job_.get();
}

Notice ClipboardState::finish_copy() {
    if (!job_) return {ClipboardEvent::NothingToCopy, {}};
    const std::string source = job_->source();
    auto capture = job_->take();
    job_.reset();
    if (!capture) return {ClipboardEvent::NothingToCopy, {.source = source}};
    NoticeFacts facts{.source = source, .bytes = capture->size()};
    for (const auto& item : capture->items())
        facts.kinds.push_back(item.text && item.offers.size() > 1 ? "text" : item.offers.front());
    held_ = std::move(capture);
    return {ClipboardEvent::Copied, std::move(facts)};
}

Notice ClipboardState::fail_copy(ClipboardEvent why) {
    NoticeFacts facts;
    if (job_) {
        facts.source = job_->source();
        facts.cap = job_->cap();
        facts.bytes = std::min(job_->total(), job_->cap());
    }
    job_.reset();
    held_.reset();
    return {why, std::move(facts)};
}

std::variant<PasteOrder, Notice> ClipboardState::request_paste(std::string target) {
    if (job_) return Notice{ClipboardEvent::StillCopying, {.source = job_->source(), .target = target}};
    confirm_target_.reset();
    if (!held_) return Notice{ClipboardEvent::NothingToPaste, {.target = target}};
    NoticeFacts facts{.source = held_->source(), .target = target, .bytes = held_->size()};
    switch (decide_transfer(settings_.rules, held_->source(), target)) {
    case TransferDecision::Deny:
        return Notice{ClipboardEvent::Denied, std::move(facts)};
    case TransferDecision::Confirm:
        confirm_target_ = std::move(target);
        return Notice{ClipboardEvent::AskConfirm, std::move(facts)};
    case TransferDecision::Allow:
        break;
    }
    return take_for(std::move(target));
}

std::variant<PasteOrder, Notice> ClipboardState::answer(bool yes) {
    if (!confirm_target_) return Notice{ClipboardEvent::NothingToPaste, {}};
    std::string target = std::move(*confirm_target_);
    confirm_target_.reset();
    if (!yes) return Notice{ClipboardEvent::Cancelled, {.target = std::move(target)}};
    if (!held_) return Notice{ClipboardEvent::NothingToPaste, {.target = std::move(target)}};
    return take_for(std::move(target));
}

PasteOrder ClipboardState::take_for(std::string target) {
    PasteOrder order{held_, std::move(target)};
    if (settings_.wipe_after_paste) held_.reset();
    return order;
}

Notice ClipboardState::pasted(const PasteOrder& order) const {
    return {ClipboardEvent::Pasted,
            {.source = order.capture->source(), .target = order.target, .bytes = order.capture->size()}};
}

ClipboardState::Phase ClipboardState::phase() const {
    if (job_) return Phase::Copying;
    if (confirm_target_) return Phase::Confirming;
    if (held_) return Phase::Holding;
    return Phase::Empty;
}

} // namespace spectrum::policy
