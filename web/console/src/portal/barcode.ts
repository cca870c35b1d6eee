/**
 * Reading a member's QR with the camera through the browser's `BarcodeDetector` (Chrome on Android,
 * Edge, Safari 17+); where it is missing the page says so and the code is typed instead.
 */

interface DetectedBarcode {
  rawValue: string
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>
}
type BarcodeDetectorClass = new (options?: { formats?: string[] }) => BarcodeDetectorLike

function detectorClass(): BarcodeDetectorClass | undefined {
  return (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector
}

/** Whether this browser can read QR codes from the camera at all. */
export function canScan(): boolean {
  return detectorClass() !== undefined && typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia
}

export function qrDetector(): BarcodeDetectorLike | null {
  const Detector = detectorClass()
  return Detector ? new Detector({ formats: ['qr_code'] }) : null
}
