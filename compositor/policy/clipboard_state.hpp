// The clipboard broker's state, free of wlroots: what Ctrl+Shift+C captured, the copy in
// progress, the paste waiting for the user's confirmation, and what each step tells the user.
//
// A copy reads a VM's selection into a Capture, type after type, within a byte cap. A paste
// hands the Capture to the target VM (which serves it as its own selection from then on)
// and, by default, wipes the host's buffer, so one copy pastes once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "clipboard_mime.hpp"
#include "clipboard_policy.hpp"

namespace spectrum::policy {

struct ClipItem {
    std::vector<std::string> offers; // MIME names the data is offered under
    bool text = false;
    std::string bytes;
};

// Data taken from one VM's selection. Immutable once made; shared by the broker's buffer and
// by the selection it was pasted into. The bytes are zeroed when the last holder lets go.
class Capture {
  public:
    Capture(std::string source, std::vector<ClipItem> items);
    ~Capture();
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;

    const std::string& source() const { return source_; }
    std::span<const ClipItem> items() const { return items_; }
    std::uint64_t size() const; // bytes over all items
    std::vector<std::string> mime_types() const;
    // The item offered under `mime` (compared normalized), or nullptr.
    const ClipItem* find(std::string_view mime) const;

  private:
    std::string source_;
    std::vector<ClipItem> items_;
};

// One copy in progress: the items of a capture plan, read one after the other.
class CaptureJob {
  public:
    CaptureJob(std::string source, std::vector<CaptureItem> plan, std::uint64_t cap);
    ~CaptureJob();
    CaptureJob(const CaptureJob&) = delete;
    CaptureJob& operator=(const CaptureJob&) = delete;

    const std::string& source() const { return source_; }
    std::uint64_t cap() const { return cap_; }
    std::uint64_t total() const { return total_; }
    // The item being read; nullptr once every item is read.
    const CaptureItem* current() const;
    // How many more bytes to ask for: one past the cap, so that going over it shows.
    std::uint64_t room() const { return cap_ + 1 - total_; }
    // Appends to the current item; false (and nothing kept) if that takes the copy over
    // the cap.
    bool append(std::string_view data);
    // The source closed the current item's pipe: move on to the next.
    void finish_current();
    // The finished capture, text made valid UTF-8 and empty items dropped; nullptr if no
    // item had any bytes. Only once every item is read.
    std::shared_ptr<const Capture> take();

  private:
    std::string source_;
    std::vector<CaptureItem> plan_;
    std::vector<std::string> data_;
    std::size_t index_ = 0;
    std::uint64_t cap_;
    std::uint64_t total_ = 0;
};

// What a notice reports. The text never contains clipboard data.
enum class ClipboardEvent {
    Copied,         // captured from the source
    Pasted,         // handed to the target
    NoWindow,       // a clipboard key with no window focused
    NothingToCopy,  // the source has no selection, or an empty one
    NoAllowedTypes, // the source offers nothing on the allow-list
    TooLarge,       // the source offered more than the cap
    SourceSilent,   // the source did not finish within the timeout
    StillCopying,   // a paste while a copy is still being read
    NothingToPaste, // no capture held (never copied, or already pasted and wiped)
    Denied,         // the policy refuses source → target
    AskConfirm,     // the policy wants the user's yes first
    Cancelled,      // the user said no, or did not answer
};

struct NoticeFacts {
    std::string source, target; // as shown: VM labels, or "host"
    std::uint64_t bytes = 0;
    std::uint64_t cap = 0;
    std::uint32_t timeout_ms = 0;
    std::vector<std::string> kinds; // "text", "image/png", … for Copied
};

struct Notice {
    ClipboardEvent event;
    NoticeFacts facts;

    bool is_error() const;
    std::string text() const;
};

// "10 B", "1023 B", "1.0 KiB", "15.0 MiB".
std::string format_bytes(std::uint64_t bytes);
// "copied", "pasted", "too-large", …: the event's name in spectrumctl's JSON.
std::string_view event_name(ClipboardEvent event);

struct ClipboardSettings {
    bool wipe_after_paste = true;
    std::vector<TransferRule> rules;
};

// An order to make `capture` the target's selection.
struct PasteOrder {
    std::shared_ptr<const Capture> capture;
    std::string target;
};

class ClipboardState {
  public:
    enum class Phase { Empty, Copying, Holding, Confirming };

    explicit ClipboardState(ClipboardSettings settings = {}) : settings_(std::move(settings)) {}
    void set_settings(ClipboardSettings settings) { settings_ = std::move(settings); }

    // Ctrl+Shift+C in `source` whose selection offers `offered`. A new copy always replaces
    // what was held (and any copy or prompt in progress): after a failed copy there is
    // nothing to paste, never an older capture. Returns the job to feed, or why there is none.
    std::variant<CaptureJob*, Notice> begin_copy(std::string source,
                                                 std::span<const std::string> offered,
                                                 std::span<const std::string> allowed,
                                                 std::uint64_t cap);
    CaptureJob* job() { return job_.get(); }
    // The job has read every item: hold its capture. Copied, or NothingToCopy if it was empty.
    Notice finish_copy();
    // The job failed (TooLarge, SourceSilent, or NothingToCopy when the source vanished).
    Notice fail_copy(ClipboardEvent why);

    // Ctrl+Shift+V in `target`: a paste order, or why not (Denied, AskConfirm, …).
    std::variant<PasteOrder, Notice> request_paste(std::string target);
    // The user's answer to AskConfirm.
    std::variant<PasteOrder, Notice> answer(bool yes);
    // What to tell the user once an order was carried out.
    Notice pasted(const PasteOrder& order) const;

    Phase phase() const;
    const Capture* held() const { return held_.get(); }
    const std::optional<std::string>& confirming_target() const { return confirm_target_; }

  private:
    PasteOrder take_for(std::string target);

    ClipboardSettings settings_;
    std::unique_ptr<CaptureJob> job_;
    std::shared_ptr<const Capture> held_;
    std::optional<std::string> confirm_target_;
};

} // namespace spectrum::policy
