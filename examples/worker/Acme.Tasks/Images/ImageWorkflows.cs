using Celeriac.Workflows;

namespace Acme.Tasks.Images;

/// <summary>Workflows a producer starts with <c>WorkflowClient.StartAsync</c>.</summary>
public static class ImageWorkflows
{
    /// <summary>Resize, then record the thumbnail in the catalog: a chain, the resize result feeding the catalog step.</summary>
    public static Workflow ThumbnailAndCatalog(string source, string target, int maxWidth = 256, int maxHeight = 256) =>
        Workflow.Chain(
            Sig.For<ResizeImageTask>(new ResizeImage(source, target, maxWidth, maxHeight)),
            Sig.Of<CatalogImageTask>());
}
