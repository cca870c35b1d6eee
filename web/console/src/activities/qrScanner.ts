/**
 * Reads QR codes from the camera with the browser's own BarcodeDetector (Chrome, Edge, Android WebView);
 * where it is missing, `scannerAvailable()` is false and the desk types the code instead.
 */
interface DetectedBarcode {
  rawValue: string
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>
}
type BarcodeDetectorClass = new (options: { formats: string[] }) => BarcodeDetectorLike

function detectorClass(): BarcodeDetectorClass | undefined {
  return (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector
}

export function scannerAvailable(): boolean {
  return detectorClass() !== undefined && !!navigator.mediaDevices?.getUserMedia
}

/** Starts the camera in `video` and calls `found` with each new code; returns a function that stops it all. */
export async function startScanner(video: HTMLVideoElement, found: (code: string) => void): Promise<() => void> {
  const Detector = detectorClass()
  if (!Detector) throw new Error('BarcodeDetector is not available')
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } })
  video.srcObject = stream
  await video.play()
  const detector = new Detector({ formats: ['qr_code'] })
  let last = ''
  let stopped = false
  const tick = async () => {
    if (stopped) return
    try {
      const codes = await detector.detect(video)
      const code = codes[0]?.rawValue
      if (code && code !== last) {
        last = code
        found(code)
      }
    } catch {
      /* a frame that could not be read: try the next one */
    }
    if (!stopped) setTimeout(() => void tick(), 300)
  }
  void tick()
  return () => {
    stopped = true
    stream.getTracks().forEach((track) => track.stop())
    video.srcObject = null
  }
}
