// Bot IDs as developers write them in code.
const botId = '2f9d1b7e-8a3c-4e5f-b1d2-6c7a8e9f0a1b';
const BOT_ID: string = "3a7c9e1b-2d4f-4a6c-8e0b-1d3f5a7c9e1b";
static FAILED_BOT_ID: &str = "9b1d3f5a-7c9e-4b1d-8f5a-7c9e1b3d5f7a";
const recordingId: string = "5c8e0a2b-4d6f-4b8a-9c0e-2f4a6c8e0a2b";
let requestId = "1b3d5f7a-9c1e-4b3d-8f7a-9c1e3b5d7f9a";
