#include "client.hpp"

#include <curl/curl.h>
#include <format>
#include <mutex>
#include <system_error>

namespace spectrum::vmbridge::ch {

namespace {

// Replies are small JSON documents; a VMM sending more is broken, not worth buffering.
constexpr std::size_t kMaxReplyBytes = 8u << 20;

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
    std::string data;
    bool overflow = false;
};

std::size_t collect(char* bytes, std::size_t size, std::size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    std::size_t n = size * count;
    if (sink->data.size() + n > kMaxReplyBytes) {
        sink->overflow = true;
        return 0; // makes curl stop with CURLE_WRITE_ERROR
    }
    sink->data.append(bytes, n);
    return n;
}

struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

void append(Slist& list, const char* header) {
    curl_slist* grown = curl_slist_append(list.get(), header);
    if (grown) {
        (void)list.release();
        list.reset(grown);
    }
}

} // namespace

struct Client::Handle {
    CURL* curl = nullptr;
    ~Handle() {
        if (curl) curl_easy_cleanup(curl);
    }
};

Client::Client(ClientOptions options)
    : options_(std::move(options)), handle_(std::make_unique<Handle>()) {
    init_curl_once();
    handle_->curl = curl_easy_init();
}

Client::~Client() = default;

std::expected<Response, ApiError> Client::send(const Request& request) {
    auto error = [&](ApiError::Kind kind, std::string detail) {
        ApiError e;
        e.kind = kind;
        e.operation = request.operation;
        e.socket = options_.socket.string();
        e.detail = std::move(detail);
        return std::unexpected(std::move(e));
    };
    CURL* curl = handle_->curl;
    if (!curl) return error(ApiError::Kind::Transport, "libcurl could not be initialised");

    // reset() clears the previous call's options but keeps the open connection for reuse.
    curl_easy_reset(curl);
    char curl_message[CURL_ERROR_SIZE] = {};
    Sink sink;
    const std::string url = "http://localhost" + request.path();
    const std::string socket = options_.socket.string();
    std::string payload;
    Slist headers;
    append(headers, "Accept: application/json");
    append(headers, "Expect:"); // no 100-continue round trip: the VMM is local

    curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); // timeouts without SIGALRM: thread-safe
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_message);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);

    if (request.method == Method::Get) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
        if (request.body) {
            payload = request.body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            append(headers, "Content-Type: application/json");
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.data());
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(payload.size()));
        }
        // Without a body nothing is sent after the headers: cloud-hypervisor answers 400 to
        // an action (vm.boot, …) that carries one.
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());

    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
        std::string detail = curl_message[0] ? curl_message : curl_easy_strerror(rc);
        switch (rc) {
        case CURLE_OPERATION_TIMEDOUT: {
            curl_off_t connected = 0;
            curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected);
            auto e = error(ApiError::Kind::Timeout, std::move(detail));
            e.error().timeout = connected == 0 && options_.connect_timeout < options_.timeout
                                    ? options_.connect_timeout
                                    : options_.timeout;
            return e;
        }
        case CURLE_COULDNT_CONNECT: {
            // curl's own text speaks of "localhost port 80"; the socket's errno is clearer.
            long os_errno = 0;
            curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno);
            if (os_errno != 0)
                detail =
                    std::error_code(static_cast<int>(os_errno), std::generic_category()).message();
            return error(ApiError::Kind::Unreachable, std::move(detail));
        }
        case CURLE_WRITE_ERROR:
            if (sink.overflow)
                return error(ApiError::Kind::BadReply,
                             std::format("reply larger than {} bytes", kMaxReplyBytes));
            [[fallthrough]];
        default:
            return error(ApiError::Kind::Transport, std::move(detail));
        }
    }

    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        auto e = error(ApiError::Kind::Http, vmm_message(sink.data));
        e.error().status = status;
        return e;
    }
    return Response{status, std::move(sink.data)};
}

} // namespace spectrum::vmbridge::ch
