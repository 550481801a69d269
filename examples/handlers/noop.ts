// A stand-in handler the examples bundle (your own code goes here).
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({ statusCode: 200, body: '{}' });
