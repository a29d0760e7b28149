// SHA-256 over a stream, through OpenSSL's EVP interface (which uses the CPU's SHA
// instructions where there are some).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

struct evp_md_ctx_st; // OpenSSL's EVP_MD_CTX, kept out of this header

namespace spectrum::vmbridge::store {

class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::span<const std::byte> bytes);
    // The holes of a sparse file count as zeros, as they read.
    void update_zeros(std::uint64_t count);
    // Lower-case hex, as sha256sum prints it. Call once.
    std::string hex_digest();

  private:
    evp_md_ctx_st* context_;
};

// A block of zeros, for hashing holes and for handing them to libarchive. Never written to.
std::span<const std::byte> zero_block();

} // namespace spectrum::vmbridge::store
