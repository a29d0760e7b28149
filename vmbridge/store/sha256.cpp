#include "sha256.hpp"

#include <algorithm>
#include <array>
#include <new>
#include <openssl/evp.h>

namespace spectrum::vmbridge::store {

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
    // Both fail only when OpenSSL cannot allocate.
    if (context_ == nullptr || EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(context_);
        throw std::bad_alloc();
    }
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(context_);
}

void Sha256::update(std::span<const std::byte> bytes) {
    EVP_DigestUpdate(context_, bytes.data(), bytes.size());
}

void Sha256::update_zeros(std::uint64_t count) {
    auto zeros = zero_block();
    while (count > 0) {
        auto chunk = static_cast<std::size_t>(std::min<std::uint64_t>(count, zeros.size()));
        update(zeros.first(chunk));
        count -= chunk;
    }
}

std::string Sha256::hex_digest() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_, digest.data(), &length);
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex.push_back(digits[digest[i] >> 4]);
        hex.push_back(digits[digest[i] & 0xf]);
    }
    return hex;
}

std::span<const std::byte> zero_block() {
    // In .bss: costs no file size, and pages are only touched when read.
    static std::array<std::byte, 1 << 20> zeros{};
    return zeros;
}

} // namespace spectrum::vmbridge::store
