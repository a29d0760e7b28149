#include "clipboard_state.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <string>
#include <variant>
#include <vector>

namespace spectrum::policy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using D = TransferDecision;
using E = ClipboardEvent;

const std::vector<std::string> text_types{"text/plain", "text/plain;charset=utf-8", "UTF8_STRING"};
// config::ClipboardConfig's default allow-list.
const std::vector<std::string> allowed{"text/plain;charset=utf-8", "text/plain", "UTF8_STRING", "TEXT",
                                       "STRING", "text/uri-list", "image/png", "image/jpeg"};

CaptureJob* start(ClipboardState& state, const std::string& source,
                  const std::vector<std::string>& offered = text_types, std::uint64_t cap = 1024) {
    auto started = state.begin_copy(source, offered, allowed, cap);
    if (!std::holds_alternative<CaptureJob*>(started)) {
        ADD_FAILURE() << "copy did not start: " << std::get<Notice>(started).text();
        return nullptr;
    }
    return std::get<CaptureJob*>(started);
}

// A copy of `text` from `source`, read to the end.
void copy_text(ClipboardState& state, const std::string& source, const std::string& text) {
    CaptureJob* job = start(state, source);
    ASSERT_NE(job, nullptr);
    ASSERT_TRUE(job->append(text));
    job->finish_current();
    ASSERT_EQ(job->current(), nullptr);
    EXPECT_EQ(state.finish_copy().event, E::Copied);
}

PasteOrder expect_order(std::variant<PasteOrder, Notice> result) {
    if (auto* notice = std::get_if<Notice>(&result)) {
        ADD_FAILURE() << "expected a paste, got: " << notice->text();
        return {};
    }
    return std::get<PasteOrder>(std::move(result));
}

Notice expect_notice(std::variant<PasteOrder, Notice> result) {
    if (std::holds_alternative<PasteOrder>(result)) {
        ADD_FAILURE() << "expected a notice, got a paste order";
        return {E::Pasted, {}};
    }
    return std::get<Notice>(std::move(result));
}

TEST(ClipboardCapture, ReadsEveryItemInOrderAndOffersUnderEveryName) {
    CaptureJob job("red", plan_capture(std::vector<std::string>{"image/png", "text/plain", "UTF8_STRING"}, allowed),
                   1 << 20);
    ASSERT_NE(job.current(), nullptr);
    EXPECT_EQ(job.current()->read, "UTF8_STRING");
    EXPECT_TRUE(job.append("hello"));
    job.finish_current();
    ASSERT_NE(job.current(), nullptr);
    EXPECT_EQ(job.current()->read, "image/png");
    EXPECT_TRUE(job.append(std::string("\x89PNG\r\n\x1a\n\xff\xfe", 10)));
    job.finish_current();
    EXPECT_EQ(job.current(), nullptr);
    auto capture = job.take();
    ASSERT_NE(capture, nullptr);
    EXPECT_EQ(capture->source(), "red");
    EXPECT_EQ(capture->size(), 15u);
    EXPECT_THAT(capture->mime_types(), ElementsAre("text/plain", "UTF8_STRING", "image/png"));
    ASSERT_NE(capture->find("TEXT/PLAIN"), nullptr);
    EXPECT_EQ(capture->find("text/plain")->bytes, "hello");
    EXPECT_EQ(capture->find("UTF8_STRING")->bytes, "hello");
    // Binary data is never "repaired".
    EXPECT_EQ(capture->find("image/png")->bytes, std::string("\x89PNG\r\n\x1a\n\xff\xfe", 10));
    EXPECT_EQ(capture->find("image/jpeg"), nullptr);
}

TEST(ClipboardCapture, TextIsMadeValidUtf8) {
    CaptureJob job("red", plan_capture(text_types, allowed), 1024);
    EXPECT_TRUE(job.append("ok\xff"));
    job.finish_current();
    auto capture = job.take();
    ASSERT_NE(capture, nullptr);
    EXPECT_EQ(capture->items()[0].bytes, "ok\xef\xbf\xbd");
}

TEST(ClipboardCapture, TheCapCountsEveryItemAndIsInclusive) {
    CaptureJob job("red", plan_capture(std::vector<std::string>{"text/plain", "image/png"}, allowed), 10);
    EXPECT_EQ(job.room(), 11u); // asks for one byte more than allowed, to see an overflow
    EXPECT_TRUE(job.append("12345"));
    job.finish_current();
    EXPECT_EQ(job.room(), 6u);
    EXPECT_TRUE(job.append("67890")); // exactly the cap
    EXPECT_FALSE(job.append("x"));    // one over
    EXPECT_GT(job.total(), job.cap());
}

TEST(ClipboardCapture, EmptyItemsAreDroppedAndAllEmptyIsNothing) {
    CaptureJob job("red", plan_capture(std::vector<std::string>{"text/plain", "image/png"}, allowed), 10);
    job.finish_current(); // no text
    EXPECT_TRUE(job.append("png"));
    job.finish_current();
    auto capture = job.take();
    ASSERT_NE(capture, nullptr);
    EXPECT_THAT(capture->mime_types(), ElementsAre("image/png"));

    CaptureJob empty("red", plan_capture(text_types, allowed), 10);
    empty.finish_current();
    EXPECT_EQ(empty.take(), nullptr);
}

TEST(ClipboardCapture, TakeBeforeTheEndGivesNothing) {
    CaptureJob job("red", plan_capture(text_types, allowed), 10);
    EXPECT_TRUE(job.append("abc"));
    EXPECT_EQ(job.take(), nullptr);
}

TEST(ClipboardState, StartsEmpty) {
    ClipboardState state;
    EXPECT_EQ(state.phase(), ClipboardState::Phase::Empty);
    EXPECT_EQ(state.held(), nullptr);
    EXPECT_EQ(expect_notice(state.request_paste("blue")).event, E::NothingToPaste);
}

TEST(ClipboardState, CopyThenPasteOnceThenNothing) {
    ClipboardState state;
    copy_text(state, "red", "0123456789");
    EXPECT_EQ(state.phase(), ClipboardState::Phase::Holding);
    ASSERT_NE(state.held(), nullptr);
    EXPECT_EQ(state.held()->size(), 10u);

    PasteOrder order = expect_order(state.request_paste("blue"));
    ASSERT_NE(order.capture, nullptr);
    EXPECT_EQ(order.target, "blue");
    EXPECT_EQ(order.capture->items()[0].bytes, "0123456789"); // the target keeps its copy
    EXPECT_EQ(state.held(), nullptr);                         // the host's is wiped
    EXPECT_EQ(state.pasted(order).text(), "Pasted 10 B from [red] into [blue]");

    Notice again = expect_notice(state.request_paste("blue"));
    EXPECT_EQ(again.event, E::NothingToPaste);
}

TEST(ClipboardState, WithoutWipeThePasteCanRepeat) {
    ClipboardState state({.wipe_after_paste = false, .rules = {}});
    copy_text(state, "red", "abc");
    expect_order(state.request_paste("blue"));
    expect_order(state.request_paste("green"));
    EXPECT_EQ(state.phase(), ClipboardState::Phase::Holding);
}

TEST(ClipboardState, CopyNoticeNamesSizeKindsAndSource) {
    ClipboardState state;
    CaptureJob* job = start(state, "red", {"text/plain", "UTF8_STRING", "image/png"}, 1 << 20);
    ASSERT_NE(job, nullptr);
    job->append("hi");
    job->finish_current();
    job->append(std::string(2048, 'p'));
    job->finish_current();
    Notice notice = state.finish_copy();
    EXPECT_EQ(notice.event, E::Copied);
    EXPECT_FALSE(notice.is_error());
    EXPECT_THAT(notice.facts.kinds, ElementsAre("text", "image/png"));
    EXPECT_EQ(notice.text(), "Copied 2.0 KiB (text, image/png) from [red]");
}

TEST(ClipboardState, AFailedCopyLeavesNothingToPaste) {
    ClipboardState state;
    copy_text(state, "red", "old");
    CaptureJob* job = start(state, "green", text_types, 4);
    ASSERT_NE(job, nullptr);
    EXPECT_EQ(state.held(), nullptr); // the old capture went when the new copy began
    EXPECT_FALSE(job->append("12345"));
    Notice notice = state.fail_copy(E::TooLarge);
    EXPECT_EQ(notice.event, E::TooLarge);
    EXPECT_TRUE(notice.is_error());
    EXPECT_EQ(notice.text(), "Not copied: [green] offered more than 4 B (the clipboard cap)");
    EXPECT_EQ(state.phase(), ClipboardState::Phase::Empty);
    EXPECT_EQ(expect_notice(state.request_paste("blue")).event, E::NothingToPaste);
}

TEST(ClipboardState, SilentSourceNotice) {
    ClipboardState state;
    ASSERT_NE(start(state, "red"), nullptr);
    Notice notice = state.fail_copy(E::SourceSilent);
    notice.facts.timeout_ms = 2500;
    EXPECT_EQ(notice.text(), "Not copied: [red] did not answer within 2.5 s");
}

TEST(ClipboardState, NothingOfferedOrNothingAllowed) {
    ClipboardState state;
    auto none = state.begin_copy("red", {}, allowed, 10);
    ASSERT_TRUE(std::holds_alternative<Notice>(none));
    EXPECT_EQ(std::get<Notice>(none).event, E::NothingToCopy);
    EXPECT_EQ(std::get<Notice>(none).text(), "Nothing to copy in [red]");

    const std::vector<std::string> pdf{"application/pdf"};
    auto disallowed = state.begin_copy("red", pdf, allowed, 10);
    ASSERT_TRUE(std::holds_alternative<Notice>(disallowed));
    EXPECT_EQ(std::get<Notice>(disallowed).event, E::NoAllowedTypes);
    EXPECT_EQ(state.phase(), ClipboardState::Phase::Empty);
}

TEST(ClipboardState, AnEmptySelectionIsNothingToCopy) {
    ClipboardState state;
    CaptureJob* job = start(state, "red");
    ASSERT_NE(job, nullptr);
    job->finish_current();
    EXPECT_EQ(state.finish_copy().event, E::NothingToCopy);
    EXPECT_EQ(state.phase(), ClipboardState::Phase::Empty);
}

TEST(ClipboardState, PasteDuringACopyWaits) {
    ClipboardState state;
    ASSERT_NE(start(state, "red"), nullptr);
    Notice notice = expect_notice(state.request_paste("blue"));
    EXPECT_EQ(notice.event, E::StillCopying);
    EXPECT_EQ(state.phase(), ClipboardState::Phase::Copying);
}

TEST(ClipboardState, DeniedPasteKeepsTheCapture) {
    ClipboardState state({.wipe_after_paste = true, .rules = {{"red", "blue", D::Deny}}});
    copy_text(state, "red", "secret");
    Notice notice = expect_notice(state.request_paste("blue"));
    EXPECT_EQ(notice.event, E::Denied);
    EXPECT_EQ(notice.text(), "Denied by policy: [red] \u2192 [blue]");
    EXPECT_NE(state.held(), nullptr);
    expect_order(state.request_paste("green")); // another target is still allowed
}

TEST(ClipboardState, ConfirmWaitsForTheAnswer) {
    ClipboardState state({.wipe_after_paste = true, .rules = {{"*", "bank", D::Confirm}}});
    copy_text(state, "red", "iban");
    Notice ask = expect_notice(state.request_paste("bank"));
    EXPECT_EQ(ask.event, E::AskConfirm);
    EXPECT_FALSE(ask.is_error());
    EXPECT_THAT(ask.text(), HasSubstr("Paste 4 B from [red] into [bank]?"));
    EXPECT_EQ(state.phase(), ClipboardState::Phase::Confirming);
    EXPECT_EQ(state.confirming_target(), "bank");

    PasteOrder order = expect_order(state.answer(true));
    EXPECT_EQ(order.target, "bank");
    EXPECT_EQ(state.phase(), ClipboardState::Phase::Empty); // wiped after the paste
}

TEST(ClipboardState, ConfirmDeclinedKeepsTheCapture) {
    ClipboardState state({.wipe_after_paste = true, .rules = {{"*", "*", D::Confirm}}});
    copy_text(state, "red", "x");
    expect_notice(state.request_paste("blue"));
    Notice no = expect_notice(state.answer(false));
    EXPECT_EQ(no.event, E::Cancelled);
    EXPECT_EQ(no.text(), "Paste into [blue] cancelled");
    EXPECT_EQ(state.phase(), ClipboardState::Phase::Holding);
    EXPECT_EQ(expect_notice(state.answer(true)).event, E::NothingToPaste); // no prompt open
}

TEST(ClipboardState, ANewCopyCancelsAPrompt) {
    ClipboardState state({.wipe_after_paste = true, .rules = {{"*", "*", D::Confirm}}});
    copy_text(state, "red", "x");
    expect_notice(state.request_paste("blue"));
    ASSERT_NE(start(state, "green"), nullptr);
    EXPECT_FALSE(state.confirming_target().has_value());
}

TEST(ClipboardNotice, ByteSizes) {
    EXPECT_EQ(format_bytes(0), "0 B");
    EXPECT_EQ(format_bytes(10), "10 B");
    EXPECT_EQ(format_bytes(1023), "1023 B");
    EXPECT_EQ(format_bytes(1024), "1.0 KiB");
    EXPECT_EQ(format_bytes(1536), "1.5 KiB");
    EXPECT_EQ(format_bytes(15ull << 20), "15.0 MiB");
    EXPECT_EQ(format_bytes(16ull << 30), "16.0 GiB");
}

TEST(ClipboardNotice, EventNamesAreDistinct) {
    std::vector<std::string_view> names;
    for (E event : {E::Copied, E::Pasted, E::NoWindow, E::NothingToCopy, E::NoAllowedTypes, E::TooLarge,
                    E::SourceSilent, E::StillCopying, E::NothingToPaste, E::Denied, E::AskConfirm,
                    E::Cancelled}) {
        const auto name = event_name(event);
        EXPECT_NE(name, "unknown");
        EXPECT_EQ(std::ranges::count(names, name), 0) << name;
        names.push_back(name);
    }
}

} // namespace
} // namespace spectrum::policy
