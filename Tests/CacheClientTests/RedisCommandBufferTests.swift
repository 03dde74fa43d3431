import Testing
@testable import CacheClient

@Suite struct RedisCommandBufferTests {
    @Test("integers are encoded as RESP bulk strings of their decimal digits, signs and extremes included")
    func integers() {
        for number: Int64 in [0, 7, 10, -1, -10, 3_600_000, .max, .min] {
            var buffer = RedisCommandBuffer()
            buffer.begin(arguments: 1)
            buffer.add(number)
            let digits = String(number)
            #expect(buffer.bytes == Array("*1\r\n$\(digits.utf8.count)\r\n\(digits)\r\n".utf8), "\(number)")
        }
    }
}
